/**
 * `xreg check` lowers a program that compiled clean, so what `xreg run` would refuse (E06xx) is
 * reported before any data is loaded; lowering builds closures only, so checking allocates nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFiles, compilerSemantics, loweringDiagnostics, readTextSync } from '../../cli/check.js';
import { compileText } from '../../compiler/compile.js';
import { LowerCodes } from '../../compiler/lower/codes.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { standardLibrary } from '../../stdlib/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'xreg-check-lower-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const root = join(import.meta.dirname, '..', '..');
const programs = readdirSync(join(root, 'programs'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.xreg'))
  .map((f) => join(root, 'programs', f));

const linear = (rule: string): string =>
  [
    'data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 100, seed: 1)',
    'split d { train: 0.5, reg: 0.25, test: 0.25 } seed 0',
    'param w : Tensor[10] = 0',
    'loss fit = mse(x @ w, y) over train',
    rule,
    'run 10 steps',
    '',
  ].join('\n');

// The front half accepts any number for min_lr; only the learning-rate schedule, built in lowering, refuses one above lr.
const minLrRule = 'update w by sgd(lr: 0.1, schedule: "cosine", min_lr: 0.5) on fit';
const lowLr = file('min-lr.xreg', linear(minLrRule));
const fine = file('fine.xreg', linear('update w by sgd(lr: 0.1, schedule: "cosine", min_lr: 0.01) on fit'));

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('xreg check lowers what compiles', () => {
  it('a program that compiles clean but that lowering refuses: E0604 at the rule, exit 1', async () => {
    const compiled = compileText(readFileSync(lowLr, 'utf8'), lowLr);
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.ir).toBeDefined();
    const r = await checkFiles([lowLr]);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.map((d) => d.code)).toEqual([LowerCodes.badOptimizer]);
    expect(r.diagnostics[0]!.message).toContain('min_lr (0.5) is above the base learning rate (0.1)');
    expect(r.diagnostics[0]!.span.start).toEqual(expect.objectContaining({ line: 5, column: 1 }));
    expect(r.stdout).toContain(`--> ${lowLr}:5:1`);
    expect(r.stdout).toContain(minLrRule);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('checked 1 file: 1 error');
  });

  it('the same program with a valid min_lr checks clean', async () => {
    const r = await checkFiles([fine]);
    expect(r.diagnostics).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('a construct lowering does not support yet (an ensemble inside a population): E0601', async () => {
    const text = [
      'data d = digits()',
      'split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0',
      'model net(x) = x |> dense(16) |> relu |> dense(10)',
      'loss fit = cross_entropy(net(x), y) over train',
      'metric val_acc = accuracy(net(x), y) over reg',
      'population 4 {',
      '  hyper wd : Scalar ~ uniform(0.0001, 0.01)',
      '  ensemble 2 as avg {',
      '    update params(net) by adam(lr: 1e-3) on fit',
      '  }',
      '}',
      'every 1 epoch: exploit truncation(0.25) by highest val_acc, explore perturb(0.8, 1.2)',
      'run 1 epochs batch 64',
      '',
    ].join('\n');
    const f = file('ens-in-pop.xreg', text);
    expect(compileText(text, f).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const r = await checkFiles([f]);
    expect(r.diagnostics.map((d) => d.code)).toEqual([LowerCodes.unsupported]);
    expect(r.exitCode).toBe(1);
  });

  it('a loss that is not one number is the compiler\'s E0306, not lowering\'s E0603', async () => {
    const f = file('vector-loss.xreg', linear('update w by sgd(lr: 0.1) on vec').replace('loss fit = mse(x @ w, y) over train', 'loss vec = x @ w over train'));
    const r = await checkFiles([f]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E0306']);
    expect(r.stdout).toContain('hint: reduce it to one number: wrap it in mean(...) or sum(...)');
  });

  it('a program with compile errors is not lowered: only the compiler speaks', async () => {
    const f = file('both.xreg', linear(minLrRule).replace('over train', 'over trian'));
    const r = await checkFiles([f]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E0508']);
  });

  it('every program under programs/ lowers clean, and checking all of them allocates no tensor', async () => {
    expect(programs.length).toBeGreaterThan(10);
    const before = tf.memory();
    const r = await checkFiles(programs);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.exitCode).toBe(0);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('every program with rules has an IR that lowering accepted, a sweep with its first value', () => {
    const lowered = programs.flatMap((p) => {
      const c = compileText(readFileSync(p, 'utf8'), p, { readFile: readTextSync });
      return c.ir === undefined ? [] : [{ p, ir: c.ir, diags: loweringDiagnostics(c.ir) }];
    });
    expect(lowered.filter((l) => l.diags.length > 0).map((l) => `${l.p}: ${l.diags.map((d) => d.message).join('; ')}`)).toEqual([]);
    // the sweep programs read their variable: lowered without its value they are refused (E0605)
    const sweeps = lowered.filter((l) => l.ir.sweep !== undefined);
    expect(sweeps.length).toBeGreaterThan(0);
    for (const s of sweeps) {
      const bare = lowerProgram(s.ir, standardLibrary);
      expect(E.isLeft(bare) ? bare.left.map((d) => d.code) : []).toContain(LowerCodes.noSweepValue);
    }
  });

  it('every complete example in docs/language.md checks clean, lowering included', async () => {
    // the examples' fences: ```xreg (a program), ```xreg error / fragment (not programs that must run)
    const md = readFileSync(join(root, 'docs', 'language.md'), 'utf8');
    const examples = [...md.matchAll(/^```xreg[ \t]*(.*)\n([\s\S]*?)^```[ \t]*$/gm)].filter((m) => (m[1] ?? '').trim() === '').map((m) => m[2] ?? '');
    expect(examples.length).toBeGreaterThan(10);
    // served from memory under names beside docs/language.md, so that relative paths resolve as in test/docs
    const texts = new Map(examples.map((text, i) => [join(root, 'docs', `example-${i}.xreg`), text]));
    const read = async (f: string): Promise<E.Either<string, string>> => {
      const t = texts.get(f);
      return t === undefined ? E.left('no such example') : E.right(t);
    };
    const r = await checkFiles([...texts.keys()], { read });
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('compilerSemantics is the default semantics: the lowering error comes through a custom reader too', async () => {
    const r = await checkFiles([lowLr], { semantics: compilerSemantics(readTextSync) });
    expect(r.diagnostics.map((d) => d.code)).toEqual([LowerCodes.badOptimizer]);
  });
});

describe('xreg check (the command line) reports lowering errors', () => {
  it('exit 1, the E0604 diagnostic rendered at the rule', () => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'xreg.ts'), 'check', lowLr, fine], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('error[E0604]: lowering: rule update1: min_lr (0.5) is above the base learning rate (0.1)');
    expect(out.stdout).toContain(`--> ${lowLr}:5:1`);
    expect(out.stdout).toContain('checked 2 files: 1 error');
  }, 120_000);
});
