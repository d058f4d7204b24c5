/**
 * docs/distributed.md's command lines are checked: every `xreg run` and `xreg submit` in its ```sh
 * blocks is parsed by the real command definitions, its options decode, the program it names
 * compiles, and a seed list or member index it gives fits the program (what `xreg run` would refuse
 * before training). Shell variables holding a member index (`$I`, `{}`) stand for 0.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { readTextSync } from '../../cli/check.js';
import { decodeQueueOptions } from '../../cli/commands/queue-options.js';
import { decodeRunOptions, registerRun } from '../../cli/commands/run.js';
import { registerSubmit } from '../../cli/commands/submit.js';
import { compileText } from '../../compiler/compile.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { modeOf } from '../../runtime/exec/loop.js';
import { partMembers } from '../../runtime/parts.js';
import { seedListRefusal } from '../../runtime/seeds.js';
import { coupledRule } from '../../runtime/ensemble-parts.js';
import { standardLibrary } from '../../stdlib/registry.js';

const root = path.join(import.meta.dirname, '..', '..');
const doc = readFileSync(path.join(root, 'docs', 'distributed.md'), 'utf8');

/** The `xreg run|submit …` commands of the ```sh blocks, continuation lines joined, comments dropped. */
const commands = (md: string): string[] => {
  const blocks = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.flatMap((b) =>
    b
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((l) => l.replace(/(^|\s)#.*$/, ''))
      .flatMap((l) => [...l.matchAll(/xreg (run|submit) [^;|&]*/g)].map((m) => m[0].trim())),
  );
};

const args = (cmd: string): string[] =>
  cmd
    .replace(/\$\{?(I|JOB_COMPLETION_INDEX|SLURM_ARRAY_TASK_ID)\}?|\{\}/g, '0')
    .replace(/"\$DIR"|\$DIR/g, '/tmp/xreg-doc-member')
    .replace(/"/g, '')
    .split(/\s+/)
    .slice(1);

/** The options commander hands the action, with the action replaced so that nothing runs. */
const parse = async (argv: readonly string[]): Promise<{ file: string; raw: unknown }> => {
  const program = new Command().exitOverride();
  const sub = (argv[0] === 'submit' ? registerSubmit : registerRun)(program);
  let got: { file: string; raw: unknown } = { file: '', raw: {} };
  sub.exitOverride().action((file: string, raw: unknown) => void (got = { file, raw }));
  await program.parseAsync(['node', 'xreg', ...argv]);
  return got;
};

describe('docs/distributed.md command lines', () => {
  const cmds = commands(doc);
  it('has the seed list forms among them', () => {
    expect(cmds.filter((c) => c.includes('--seeds')).length).toBeGreaterThanOrEqual(4);
    expect(cmds.filter((c) => c.includes('ensemble.xreg')).length).toBeGreaterThanOrEqual(3);
    expect(cmds.length).toBeGreaterThan(8);
  });
  it.each(cmds.map((c) => [c]))('%s', async (cmd) => {
    const argv = args(cmd);
    const { file, raw } = await parse(argv);
    const o = decodeRunOptions(file, raw, argv);
    expect(E.isLeft(o) ? o.left : '').toBe('');
    if (E.isLeft(o)) return;
    if (argv[0] === 'submit') expect(E.isRight(decodeQueueOptions(raw))).toBe(true);
    const text = readFileSync(path.join(root, file), 'utf8');
    const compiled = compileText(text, file, { readFile: (p) => readTextSync(path.join(root, p)), overrides: o.right.set, registry: standardLibrary });
    expect(compiled.ir).toBeDefined();
    const ir = compiled.ir;
    if (ir === undefined) return;
    const seeds = o.right.seeds;
    if (seeds !== undefined) expect(seedListRefusal(ir, file, seeds)).toBeUndefined();
    const part = o.right.part;
    if (part !== undefined) {
      const lowered = lowerProgram(ir, standardLibrary, { stepsPerEpoch: 1, ...(ir.sweep?.members[0] !== undefined ? { sweep: ir.sweep.members[0] } : {}) });
      if (E.isLeft(lowered)) throw new Error(lowered.left.map((d) => d.message).join('; '));
      const mode = seeds !== undefined ? 'seeds' : modeOf(lowered.right);
      const count = seeds?.length ?? ir.sweep?.members.length ?? ir.population?.size ?? lowered.right.members ?? 1;
      const mine = partMembers(part, mode, count, o.right.exchange !== undefined || argv[0] === 'submit');
      expect(E.isLeft(mine) ? mine.left : '').toBe('');
      if (mode === 'ensemble') expect(coupledRule(lowered.right.ir)).toBeUndefined();
    }
  });
});
