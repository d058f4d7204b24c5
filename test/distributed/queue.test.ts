/**
 * The queue with real components: a redis-server, `xreg submit`, and `xreg worker`s as separate
 * processes. The merged result must equal the whole run on one machine member by member, also
 * when a worker is killed (SIGKILL) in the middle of a member: the member is taken over by another
 * worker, resumed from its checkpoint, and neither lost nor counted twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../cli/commands/run.js';
import { checkpointPath } from '../../runtime/checkpoint/store.js';
import { memberDir } from '../../runtime/queue/jobs.js';
import { queueStatus, showStatus } from '../../runtime/queue/status.js';
import { submitRun, type SubmitOptions } from '../../runtime/queue/submit.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { go, workspace } from '../helpers/run-program.js';
import { ensembleProgram, manifestOf, metricLines, populationProgram, seededProgram, selectedW, sweepProgram } from '../helpers/sweep-parts.js';
import { exited, startRedis, type RedisServer } from '../helpers/redis.js';

const text = sweepProgram(400, 50);

const root = path.join(import.meta.dirname, '..', '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, ok: () => boolean, ms: number, every = 50): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
};

let redis: RedisServer;
let dir: string;
let whole: string;
const workers: ChildProcess[] = [];
const logs = new Map<ChildProcess, string>();

const worker = (queue: string, name: string, concurrency = 1): ChildProcess => {
  const args = ['--import', 'tsx', 'cli/xreg.ts', 'worker', '--redis', redis.url, '--queue', queue, '--lock-seconds', '4', '--name', name, '--concurrency', String(concurrency)];
  const p = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logs.set(p, '');
  const keep = (b: Buffer): void => void logs.set(p, (logs.get(p) ?? '') + b.toString());
  p.stdout?.on('data', keep);
  p.stderr?.on('data', keep);
  workers.push(p);
  return p;
};

const submit = async (queue: string, out: string, program = 'p.xreg', members = 3, more: Partial<SubmitOptions> = {}): Promise<void> => {
  const o: SubmitOptions = { file: path.join(dir, program), redis: redis.url, queue, out, set: {}, checkpointEvery: 25, attempts: 3, argv: ['submit'], plugins: [], registry: standardLibrary, exploitTimeoutMs: 120_000, ...more };
  const r = await submitRun(o, renderAll);
  if (E.isLeft(r)) throw new Error(r.left);
  expect(r.right.members).toBe(members);
};

const merged = (out: string) => (): boolean => existsSync(path.join(out, 'manifest.json')) && manifestOf(out).mergedFrom !== undefined;

const expectSameAsWhole = async (out: string): Promise<void> => {
  expect(metricLines(out)).toEqual(metricLines(whole));
  expect(manifestOf(out).results).toEqual(manifestOf(whole).results);
  expect(manifestOf(out).selected).toBe(manifestOf(whole).selected);
  expect(await selectedW(out, text)).toEqual(await selectedW(whole, text));
};

beforeAll(async () => {
  redis = await startRedis();
  dir = workspace({ 'p.xreg': text, 'pop.xreg': populationProgram(30, 10), 'pop-long.xreg': populationProgram(60, 10), 'seeded.xreg': seededProgram, 'ens.xreg': ensembleProgram });
  whole = path.join(dir, 'whole');
  const r = await go({ file: path.join(dir, 'p.xreg'), out: whole });
  expect(r.code).toBe(0);
});

afterAll(async () => {
  for (const p of workers) p.kill('SIGKILL');
  await Promise.all(workers.map(exited));
  await redis?.stop();
});

describe('xreg submit / worker / status on a real Redis', () => {
  it('two workers train the members; the merge equals the whole run', async () => {
    const out = path.join(dir, 'queued');
    await submit('plain', out);
    worker('plain', 'w1');
    worker('plain', 'w2');
    await until('the merge', merged(out), 90_000);
    await expectSameAsWhole(out);
    const s = await queueStatus(redis.url, 'plain');
    if (E.isLeft(s)) throw new Error(s.left);
    expect(s.right).toHaveLength(1);
    expect(s.right[0]?.members.map((m) => m.state)).toEqual(['completed', 'completed', 'completed']);
    expect(s.right[0]?.merge).toBe('completed');
    expect(showStatus(s.right)).toMatch(/3\/3 members done, 0 running, 0 waiting, 0 failed; merged/);
  });

  it('a worker killed mid-member: the member resumes elsewhere from its checkpoint; the merge still equals the whole run', async () => {
    const out = path.join(dir, 'fault');
    await submit('fault', out);
    const victim = worker('fault', 'victim');
    // Killed once a member has a checkpoint (so it is under way) and before anything completes.
    const started = (): number | undefined => [0, 1, 2].find((i) => existsSync(checkpointPath(memberDir(out, i))));
    await until('a member checkpoint', () => started() !== undefined, 60_000, 10);
    victim.kill('SIGKILL');
    await exited(victim);
    const hit = started() as number;
    const during = manifestOf(memberDir(out, hit));
    expect(during.outcome).toBe('running');
    expect(readdirSync(path.join(out, 'members')).every((m) => manifestOf(path.join(out, 'members', m)).outcome !== 'completed')).toBe(true);

    worker('fault', 'w3');
    worker('fault', 'w4');
    await until('the merge after the kill', merged(out), 90_000);
    await expectSameAsWhole(out);
    // Resumed from its checkpoint, not started over.
    expect(manifestOf(memberDir(out, hit)).resumedFrom?.length).toBe(1);
    expect(manifestOf(memberDir(out, hit)).resumedFrom?.[0]?.step).toBeGreaterThan(0);
    const s = await queueStatus(redis.url, 'fault');
    if (E.isLeft(s)) throw new Error(s.left);
    // Only the member the victim held was handed out again.
    expect(s.right[0]?.members.map((m) => (m.index === hit ? m.retries > 0 : m.retries === 0))).toEqual([true, true, true]);
    expect(s.right[0]?.merge).toBe('completed');
  });

  it('a population: members on two workers exploit through the run folder; the merge equals the whole run', async () => {
    const file = path.join(dir, 'pop.xreg');
    const alone = path.join(dir, 'pop-whole');
    expect((await go({ file, out: alone })).code).toBe(0);
    const out = path.join(dir, 'pop-queued');
    await submit('pop', out, 'pop.xreg', 4);
    // Four members side by side: two workers with two slots each.
    worker('pop', 'p1', 2);
    worker('pop', 'p2', 2);
    await until('the population merge', merged(out), 90_000);
    expect(metricLines(out)).toEqual(metricLines(alone));
    expect(manifestOf(out).results).toEqual(manifestOf(alone).results);
    expect(manifestOf(out).exploits).toEqual(manifestOf(alone).exploits);
    expect(manifestOf(alone).exploits?.length).toBe(2);
  });

  it('a seed list: one member per seed on two workers; the merge equals the seed list run on one machine', async () => {
    const file = path.join(dir, 'seeded.xreg');
    const alone = path.join(dir, 'seeds-whole');
    expect((await go({ file, out: alone, seeds: [3, 1, 4, 5] })).code).toBe(0);
    const out = path.join(dir, 'seeds-queued');
    await submit('seeds', out, 'seeded.xreg', 4, { seeds: [3, 1, 4, 5] });
    worker('seeds', 's1');
    worker('seeds', 's2');
    await until('the seed list merge', merged(out), 90_000);
    expect(metricLines(out)).toEqual(metricLines(alone));
    expect(manifestOf(out).results).toEqual(manifestOf(alone).results);
    expect(manifestOf(out).seedSummary).toEqual(manifestOf(alone).seedSummary);
    expect(manifestOf(memberDir(out, 2)).seeds).toEqual([3, 1, 4, 5]);
  });

  it('an ensemble: its members on two workers; the merge evaluates the joined ensemble as the one-machine run', async () => {
    const file = path.join(dir, 'ens.xreg');
    const alone = path.join(dir, 'ens-whole');
    expect((await go({ file, out: alone })).code).toBe(0);
    const out = path.join(dir, 'ens-queued');
    await submit('ens', out, 'ens.xreg', 3);
    worker('ens', 'e1');
    worker('ens', 'e2');
    await until('the ensemble merge', merged(out), 90_000);
    expect(metricLines(out).at(-1)).toBe(metricLines(alone).at(-1));
    expect(manifestOf(out).results?.[0]?.final).toEqual(manifestOf(alone).results?.[0]?.final);
    expect(manifestOf(memberDir(out, 1)).part).toEqual([1]);
  });

  it('a population member whose worker is killed (SIGKILL) resumes from its checkpoint; the merge equals the undisturbed run', async () => {
    const file = path.join(dir, 'pop-long.xreg');
    const alone = path.join(dir, 'pop-long-whole');
    expect((await go({ file, out: alone })).code).toBe(0);
    const out = path.join(dir, 'pop-fault');
    await submit('pop-fault', out, 'pop-long.xreg', 4, { checkpointEvery: 5 });
    const victim = worker('pop-fault', 'victim', 2);
    worker('pop-fault', 'steady', 2);
    // The victim's members, from its log ("[run.m2] member 2 (attempt 1)").
    const held = (): number[] => [...(logs.get(victim) ?? '').matchAll(/member (\d+) \(attempt 1\)/g)].map((m) => Number(m[1]));
    const underWay = (): number | undefined => held().find((i) => existsSync(checkpointPath(memberDir(out, i))));
    await until('a checkpoint of a member the victim trains', () => underWay() !== undefined, 60_000, 10);
    victim.kill('SIGKILL');
    await exited(victim);
    const lost = held();
    expect(lost.length).toBeGreaterThan(0); // usually 2 (concurrency 2), fewer if the steady worker took the rest first
    // The victim may have logged its second member before writing that member's folder.
    const notDone = (i: number): boolean => !existsSync(path.join(memberDir(out, i), 'manifest.json')) || manifestOf(memberDir(out, i)).outcome !== 'completed';
    expect(lost.every(notDone)).toBe(true);
    worker('pop-fault', 'rescuer', 2);
    await until('the population merge after the kill', merged(out), 100_000).catch((e: unknown) => {
      for (const [p, l] of logs) console.error(`--- ${p.pid}\n${l}`);
      throw e;
    });
    expect(metricLines(out)).toEqual(metricLines(alone));
    expect(manifestOf(out).results).toEqual(manifestOf(alone).results);
    expect(manifestOf(out).exploits).toEqual(manifestOf(alone).exploits);
    expect(manifestOf(alone).exploits?.length).toBe(5);
    // Resumed from a checkpoint, not started over; the exchange decided no one was late.
    const resumed = lost.filter((i) => (manifestOf(memberDir(out, i)).resumedFrom?.[0]?.step ?? 0) > 0);
    expect(resumed.length).toBeGreaterThan(0);
    for (const step of [10, 20, 30, 40, 50]) {
      const plan = JSON.parse(readFileSync(path.join(out, 'exchange', String(step), 'plan.json'), 'utf8')) as { late: number[] };
      expect(plan.late).toEqual([]);
    }
  });
});
