/**
 * `xreg run --workers N` (cli/commands/run-pool.ts): a sweep trained by worker processes equals the
 * run in one process, member by member; a failing worker fails the run naming its members and
 * leaves no run folder and no parts behind.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPool, workerArgs, workerMembers, type SpawnWorker } from '../../cli/commands/run-pool.js';
import { go, workspace } from '../helpers/run-program.js';
import { quietIO, tsxWorker } from '../helpers/tsx-worker.js';
import { manifestOf, metricLines as lines, sweepProgram } from '../helpers/sweep-parts.js';

const text = sweepProgram(30, 10);


describe('xreg run --workers', () => {
  it('2 workers give the records of the one-process run, member by member, and the same selected member', async () => {
    const dir = workspace({ 'p.xreg': text });
    const file = path.join(dir, 'p.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const out = path.join(dir, 'pooled');
    const q = quietIO();
    const code = await runPool(
      { file, out, workers: 2, members: 3, mode: 'sweep', argv: ['run', file, '--workers', '2'], force: false, interrupted: () => false },
      q.io,
      tsxWorker,
    );
    expect(q.errors).toEqual([]);
    expect(code).toBe(0);
    expect(lines(out)).toEqual(lines(whole));
    expect(manifestOf(out).selected).toBe(manifestOf(whole).selected);
    expect(manifestOf(out).results).toEqual(manifestOf(whole).results);
    // The parts are gone; only the run folder is left beside the program.
    expect(readdirSync(dir).sort()).toEqual(['p.xreg', 'pooled', 'whole']);
  });

  it('a failing worker fails the run, names its members, stops the others and writes nothing', async () => {
    const dir = workspace({});
    const out = path.join(dir, 'run');
    let killed = 0;
    const fake: SpawnWorker = (args) => {
      const k = Number(args[args.indexOf('--shard') + 1]?.split('/')[0]);
      if (k === 1) return { done: Promise.resolve({ code: 1, stderr: 'error: member 1 ran out of memory\n' }), kill: () => undefined };
      let release: (v: { code: number; stderr: string }) => void = () => undefined;
      const done = new Promise<{ code: number; stderr: string }>((resolve) => (release = resolve));
      return { done, kill: () => (killed++, release({ code: 143, stderr: '' })) };
    };
    const q = quietIO();
    const code = await runPool({ file: 'p.xreg', out, workers: 3, members: 7, mode: 'sweep', argv: ['run', 'p.xreg'], force: false, interrupted: () => false }, q.io, fake);
    expect(code).toBe(1);
    expect(killed).toBe(2);
    expect(q.errors[0]).toContain('worker 2/3 (members 1, 4) failed with exit code 1');
    expect(q.errors[0]).toContain('member 1 ran out of memory');
    expect(q.errors).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('workers get the user’s options less those the pool sets, and a round-robin share of the members', () => {
    expect(workerArgs(['run', 'p.xreg', '--workers', '4', '--out', 'r', '--steps', '5', '--quiet', '--force', '--set', 'a=1'], 1, 4, 'parts/part-1')).toEqual([
      'run',
      'p.xreg',
      '--steps',
      '5',
      '--set',
      'a=1',
      '--shard',
      '1/4',
      '--out',
      'parts/part-1',
      '--quiet',
    ]);
    expect(workerArgs(['run', 'p.xreg', '--workers=2', '--out=r'], 0, 2, 'q')).toEqual(['run', 'p.xreg', '--shard', '0/2', '--out', 'q', '--quiet']);
    expect(workerMembers(1, 3, 7)).toEqual([1, 4]);
    expect(workerMembers(0, 3, 7)).toEqual([0, 3, 6]);
  });
});
