/**
 * `xreg run --workers N` on a population (cli/commands/run-pool.ts): N processes hold the members,
 * interleaved, and exploit through an exchange folder beside the run folder. Per member the run
 * equals the one-process run: records, exploit events (who copied whom, when, with which
 * hyper-parameters) and final parameters (the joined checkpoint holds the same bytes). Interrupted,
 * it continues with `--resume OUT` and still ends as the one-process run; a failing worker fails the
 * run, names its members and leaves nothing.
 */
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolPlan } from '../../cli/commands/pool-plan.js';
import { exchangeFolder, partsFolder } from '../../cli/commands/pool-folders.js';
import { POOL_EXPLOIT_TIMEOUT_S, resumeArgs, runPool, workerArgs, type SpawnWorker } from '../../cli/commands/run-pool.js';
import { decodeFile } from '../../runtime/checkpoint/format.js';
import { checkpointPath } from '../../runtime/checkpoint/store.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { quietIO, tsxWorker, tsxWorkerInterrupted } from '../helpers/tsx-worker.js';
import { go, workspace } from '../helpers/run-program.js';
import { manifestOf, metricLines, populationProgram } from '../helpers/sweep-parts.js';

/** A checkpoint's header without its creation time, and its tensor bytes. */
const checkpointOf = (dir: string): { header: unknown; blob: Buffer } => {
  const d = decodeFile(readFileSync(checkpointPath(dir)));
  if (E.isLeft(d)) throw new Error(d.left);
  const { created: _created, ...header } = d.right.header;
  return { header, blob: d.right.blob };
};

const expectSameRun = (out: string, whole: string): void => {
  expect(metricLines(out)).toEqual(metricLines(whole));
  const m = manifestOf(out);
  const w = manifestOf(whole);
  expect(m.results).toEqual(w.results);
  expect(m.exploits).toEqual(w.exploits);
  // The lineage is there to compare: exploits at steps 10, 20, …, one copy each.
  expect(w.exploits?.length).toBeGreaterThanOrEqual(2);
  const a = checkpointOf(out);
  const b = checkpointOf(whole);
  expect(a.header).toEqual(b.header);
  expect(a.blob.equals(b.blob)).toBe(true);
};

const opts = (file: string) => ({ file, set: {}, checkpointEvery: 5, argv: ['run', file], workers: 2 });

describe('xreg run --workers on a population', () => {
  it('2 workers train a population of 4 as one process does: records, exploits, final parameters', async () => {
    const dir = workspace({ 'p.xreg': populationProgram(30, 10) });
    const file = path.join(dir, 'p.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const out = path.join(dir, 'pooled');
    const plan = poolPlan(opts(file), standardLibrary, out);
    expect(plan).toMatchObject({ workers: 2, members: 4, mode: 'population', resume: false });
    expect(plan.line).toBe(
      `workers: 2 (the 4 population members in 2 processes, 2 each interleaved, each with its own backend; they exchange weights and hyper-parameters at each exploit through ${exchangeFolder(partsFolder(out))}; --workers 1 for one)`,
    );
    const q = quietIO();
    const code = await runPool({ file, out, workers: 2, members: 4, mode: 'population', argv: ['run', file], force: false, interrupted: () => false }, q.io, tsxWorker);
    expect(q.errors).toEqual([]);
    expect(code).toBe(0);
    expectSameRun(out, whole);
    // The parts and the exchange folder are gone.
    expect(readdirSync(dir).sort()).toEqual(['p.xreg', 'pooled', 'whole']);
  });

  it('interrupted after an exploit, --resume OUT continues every part and ends as the one-process run', async () => {
    const dir = workspace({ 'p.xreg': populationProgram(60, 10) });
    const file = path.join(dir, 'p.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const out = path.join(dir, 'pooled');
    const argv = ['run', file, '--checkpoint-every', '5'];
    // Ctrl-C once both workers have passed the exploit at step 10 (its plan is written).
    let interrupted = false;
    const afterFirstExploit = (): boolean => (interrupted ||= existsSync(path.join(exchangeFolder(partsFolder(out)), '10', 'plan.json')));
    const first = quietIO();
    const stopped = await runPool({ file, out, workers: 2, members: 4, mode: 'population', argv, force: false, interrupted: () => interrupted }, first.io, tsxWorkerInterrupted(afterFirstExploit));
    expect(stopped).toBe(130);
    expect(first.errors.join('\n')).toContain(`continue with: xreg run ${file} --resume ${out}`);
    expect(existsSync(out)).toBe(false);
    // Each part stopped with a checkpoint short of the end.
    for (const k of [0, 1]) expect(manifestOf(path.join(partsFolder(out), `part-${k}`)).outcome).toBe('interrupted');
    // The pool's workers publish only the states copied, after the plan (runtime/exchange.ts).
    const exchange = exchangeFolder(partsFolder(out));
    expect(JSON.parse(readFileSync(path.join(exchange, 'exchange.json'), 'utf8'))).toEqual({ states: 'copied' });
    const decided = JSON.parse(readFileSync(path.join(exchange, '10', 'plan.json'), 'utf8')) as { copies: { from: number }[] };
    expect(readdirSync(path.join(exchange, '10')).filter((n) => /^\d+$/.test(n))).toEqual([...new Set(decided.copies.map((c) => String(c.from)))].sort());

    const plan = poolPlan({ ...opts(file), resume: out }, standardLibrary);
    expect(plan).toMatchObject({ workers: 2, members: 4, mode: 'population', resume: true });
    expect(plan.line).toContain(`resuming the 2 parts of the 4 population members that the interrupted run left in ${partsFolder(out)}`);
    const again = quietIO();
    const code = await runPool({ file, out, workers: 2, members: 4, mode: 'population', resume: true, argv: [...argv, '--resume', out], force: false, interrupted: () => false }, again.io, tsxWorker);
    expect(again.errors).toEqual([]);
    expect(code).toBe(0);
    expectSameRun(out, whole);
    expect(existsSync(partsFolder(out))).toBe(false);
  });

  it('a part stopped while it waits at an exploit saves the state it had before, and resumes into the same run', async () => {
    const dir = workspace({ 'p.xreg': populationProgram(30, 10) });
    const file = path.join(dir, 'p.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const exchange = { dir: path.join(dir, 'exchange'), timeoutMs: 600_000 };
    const parts = [0, 1].map((k) => path.join(dir, `part-${k}`));
    // Part 1 stops at step 5 of its first member; part 0 gets to the exploit at step 10 and waits
    // there for part 1's scores until it is stopped too.
    let steps1 = 0;
    let partOneDone = false;
    const one = go({ file, out: parts[1] as string, part: { kind: 'shard', index: 1, of: 2 }, exchange, checkpointEvery: 5 }, { onStep: () => void steps1++, shouldStop: () => steps1 >= 5 }).then((r) => {
      partOneDone = true;
      return r;
    });
    const waiting = (): boolean => partOneDone && existsSync(path.join(exchange.dir, '10', '0.score.json'));
    const zero = go({ file, out: parts[0] as string, part: { kind: 'shard', index: 0, of: 2 }, exchange, checkpointEvery: 5 }, { shouldStop: waiting });
    const [r0, r1] = await Promise.all([zero, one]);
    expect([r0.code, r1.code]).toEqual([130, 130]);
    // Part 0 had written its members' states and scores for step 10, but no plan was made.
    expect(existsSync(path.join(exchange.dir, '10', '0.score.json'))).toBe(true);
    expect(existsSync(path.join(exchange.dir, '10', 'plan.json'))).toBe(false);
    const resumed = await Promise.all(parts.map((d) => go({ file, resume: d, exchange })));
    expect(resumed.map((r) => r.code)).toEqual([0, 0]);
    // Once the plan is made, only the states copied stay in the exchange folder.
    for (const at of ['10', '20']) {
      const plan = JSON.parse(readFileSync(path.join(exchange.dir, at, 'plan.json'), 'utf8')) as { copies: { from: number }[] };
      const states = readdirSync(path.join(exchange.dir, at)).filter((n) => /^\d+$/.test(n));
      expect(states.sort()).toEqual([...new Set(plan.copies.map((c) => String(c.from)))].sort());
    }
    const { mergeRuns } = await import('../../runtime/merge.js');
    const out = path.join(dir, 'merged');
    expect(await mergeRuns(parts, out, ['merge'], quietIO().io)).toBe(0);
    expectSameRun(out, whole);
  });

  it('a failing worker fails the run, names its members, stops the others and leaves nothing', async () => {
    const dir = workspace({});
    const out = path.join(dir, 'run');
    const seen: string[][] = [];
    let killed = 0;
    const fake: SpawnWorker = (args) => {
      seen.push([...args]);
      const k = Number(args[args.indexOf('--shard') + 1]?.split('/')[0]);
      if (k === 0) return { done: Promise.resolve({ code: 1, stderr: 'error: training failed at step 7: out of memory\n' }), kill: () => undefined };
      // The others wait at the exploit for the failed worker's members: only the pool ends them.
      let release: (v: { code: number; stderr: string }) => void = () => undefined;
      const done = new Promise<{ code: number; stderr: string }>((resolve) => (release = resolve));
      return { done, kill: () => (killed++, release({ code: 143, stderr: '' })) };
    };
    const q = quietIO();
    const code = await runPool({ file: 'p.xreg', out, workers: 2, members: 5, mode: 'population', argv: ['run', 'p.xreg'], force: false, interrupted: () => false }, q.io, fake);
    expect(code).toBe(1);
    expect(killed).toBe(1);
    expect(q.errors[0]).toContain('worker 1/2 (members 0, 2, 4) failed with exit code 1');
    expect(q.errors[0]).toContain('training failed at step 7');
    expect(q.errors[1]).toBe(`error: the run failed; nothing was written to ${out}`);
    expect(readdirSync(dir)).toEqual([]);
    // Every worker was pointed at the one exchange folder.
    for (const a of seen) expect(a.slice(a.indexOf('--exchange'), a.indexOf('--exchange') + 4)).toEqual(['--exchange', exchangeFolder(partsFolder(out)), '--exploit-timeout', String(POOL_EXPLOIT_TIMEOUT_S)]);
  });

  it('refuses to start over the parts of an interrupted run unless forced', async () => {
    const dir = workspace({ 'p.xreg': populationProgram(30, 10) });
    const file = path.join(dir, 'p.xreg');
    const out = path.join(dir, 'pooled');
    const stop = quietIO();
    let interrupted = false;
    const never: SpawnWorker = () => ({ done: Promise.resolve({ code: 130, stderr: '' }), kill: () => undefined });
    interrupted = true;
    expect(await runPool({ file, out, workers: 2, members: 4, mode: 'population', argv: ['run', file], force: false, interrupted: () => interrupted }, stop.io, never)).toBe(130);
    const q = quietIO();
    expect(await runPool({ file, out, workers: 2, members: 4, mode: 'population', argv: ['run', file], force: false, interrupted: () => false }, q.io, never)).toBe(1);
    expect(q.errors[0]).toBe(`error: ${partsFolder(out)} holds the parts of an interrupted run into ${out}: continue it with xreg run ${file} --resume ${out}, or give --force to start over`);
  });

  it('workers get the exchange folder; resumed ones their part to continue', () => {
    expect(workerArgs(['run', 'p.xreg', '--workers', '2', '--exchange', 'x', '--exploit-timeout', '5'], 1, 2, 'parts/part-1', 'parts/exchange')).toEqual([
      'run',
      'p.xreg',
      '--shard',
      '1/2',
      '--out',
      'parts/part-1',
      '--exchange',
      'parts/exchange',
      '--exploit-timeout',
      String(POOL_EXPLOIT_TIMEOUT_S),
      '--quiet',
    ]);
    expect(resumeArgs(['run', 'p.xreg', '--resume', 'runs/a', '--checkpoint-every', '5'], 'parts/part-0')).toEqual(['run', 'p.xreg', '--checkpoint-every', '5', '--resume', 'parts/part-0', '--quiet']);
  });

  it('says at the start how many workers and why', () => {
    const dir = workspace({ 'p.xreg': populationProgram(30, 10) });
    const file = path.join(dir, 'p.xreg');
    expect(poolPlan({ ...opts(file), workers: 1 }, standardLibrary).line).toBe('workers: 1 (--workers 1: the 4 population members interleaved in one process)');
    expect(poolPlan({ ...opts(file), workers: 3 }, standardLibrary).line).toMatch(/^workers: 3 \(the 4 population members in 3 processes, 1–2 each interleaved/);
  });
});
