/**
 * A seed list (`xreg run FILE --seeds …`): member k is bit for bit the run with `--seed S_k`
 * (records, final values, parameters), the summary's mean and sample sd are those of the single
 * runs' final values computed here, and the parts (`--member`, `--shard`) merge into the whole run.
 * Programs a seed list cannot repeat (a sweep, a population) and parts of other seed lists are refused.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolPlan } from '../../cli/commands/pool-plan.js';
import { runPool } from '../../cli/commands/run-pool.js';
import { loadCheckpoint } from '../../runtime/checkpoint/store.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { mergeRuns } from '../../runtime/merge.js';
import { parseSeeds, showSeeds } from '../../runtime/seeds.js';
import { go, workspace } from '../helpers/run-program.js';
import { quietIO, tsxWorker } from '../helpers/tsx-worker.js';
import { ensembleProgram, manifestOf, metricLines, populationProgram, seededProgram, sweepProgram } from '../helpers/sweep-parts.js';


const merge = async (dirs: string[], out: string) => {
  const info: string[] = [];
  const errors: string[] = [];
  const code = await mergeRuns(dirs, out, ['merge'], { info: (l) => info.push(l), error: (l) => errors.push(l) });
  return { code, info, errors };
};

/** A record without what only a seed list's records carry (member, member_seed). */
const valuesOf = (line: string): Record<string, unknown> => {
  const { member: _m, member_seed: _s, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
};

const paramsOf = async (dir: string): Promise<Record<string, number[]>> => {
  const ck = await loadCheckpoint(dir, {});
  if (E.isLeft(ck)) throw new Error(ck.left);
  const live = ck.right.snapshot.live;
  expect(live).toHaveLength(1);
  return Object.fromEntries(Object.entries(live[0]?.state.params ?? {}).map(([k, t]) => [k, Array.from(t.dataSync())]));
};

describe('--seeds: parsing', () => {
  it('reads lists, ranges with both ends included, and mixes; refuses what is not a list', () => {
    expect(parseSeeds('0,1,2')).toEqual(E.right([0, 1, 2]));
    expect(parseSeeds('0..4')).toEqual(E.right([0, 1, 2, 3, 4]));
    expect(parseSeeds(' 3..5, 10 ,-1')).toEqual(E.right([3, 4, 5, 10, -1]));
    for (const [text, code] of [
      ['4..1', 'E0850'],
      ['5', 'E0850'],
      ['0,,1', 'E0850'],
      ['a..b', 'E0850'],
      ['0..100000', 'E0850'],
      ['0..3,2', 'E0851'],
    ] as const) {
      const r = parseSeeds(text);
      expect(E.isLeft(r) ? r.left : '').toContain(`error[${code}]`);
    }
    expect(showSeeds([0, 1, 2, 3, 7, 9, 10])).toBe('0..3,7,9,10');
  });
});

describe('xreg run --seeds', () => {
  it('trains member k exactly as --seed S_k; the summary is the mean and sample sd of the single runs; parts merge into the whole run', async () => {
    const dir = workspace({ 'p.xreg': seededProgram });
    const file = path.join(dir, 'p.xreg');
    const seeds = [5, 0, 7];
    const whole = path.join(dir, 'whole');
    const r = await go({ file, out: whole, seeds });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.info.join('\n')).toMatch(/over 3 seeds \(5,0,7\), final values, mean ± sample sd:/);
    const w = manifestOf(whole);
    expect(w.mode).toBe('seeds');
    expect(w.seeds).toEqual(seeds);
    expect(w.results?.map((m) => m.seed)).toEqual(seeds);

    const lines = metricLines(whole).map((l) => JSON.parse(l) as { member: number; member_seed: number });
    const finals: number[][] = [];
    for (const [k, s] of seeds.entries()) {
      const single = path.join(dir, `seed-${s}`);
      expect((await go({ file, out: single, seed: s })).code).toBe(0);
      // The same records, value for value (JSON keeps every bit of a float64).
      const mine = metricLines(whole).filter((_, i) => lines[i]?.member === k);
      expect(mine.map(valuesOf)).toEqual(metricLines(single).map(valuesOf));
      expect(lines.filter((l) => l.member === k).every((l) => l.member_seed === s)).toBe(true);
      const one = manifestOf(single).results?.[0];
      expect(w.results?.[k]?.final).toEqual(one?.final);
      expect(w.results?.[k]?.best).toEqual(one?.best);
      finals.push([one?.final['gen'] ?? NaN, one?.final['fit'] ?? NaN]);

      // Member k alone (--member k) ends with the single run's parameters, bit for bit.
      const part = path.join(dir, `member-${k}`);
      expect((await go({ file, out: part, seeds, part: { kind: 'member', index: k } })).code).toBe(0);
      expect(await paramsOf(part)).toEqual(await paramsOf(single));
    }
    // The seeds really differ: a list of one model three times would pass the checks above.
    expect(new Set(finals.map((f) => f[0])).size).toBe(3);

    // Mean and sample sd (n − 1), computed here from the single runs.
    for (const [j, name] of ['gen', 'fit'].entries()) {
      const xs = finals.map((f) => f[j] as number);
      const [a = NaN, b = NaN, c = NaN] = xs;
      const mean = (a + b + c) / 3;
      const sd = Math.sqrt(((a - mean) ** 2 + (b - mean) ** 2 + (c - mean) ** 2) / 2);
      expect(w.seedSummary?.[name]?.n).toBe(3);
      expect(w.seedSummary?.[name]?.mean).toBeCloseTo(mean, 12);
      expect(w.seedSummary?.[name]?.sd).toBeCloseTo(sd, 12);
    }

    // Members and shards merge into the whole run, in any order.
    const members = [2, 0, 1].map((k) => path.join(dir, `member-${k}`));
    const shards = [0, 1].map((i) => path.join(dir, `shard-${i}`));
    for (const [i, out] of shards.entries()) expect((await go({ file, out, seeds, part: { kind: 'shard', index: i, of: 2 } })).code).toBe(0);
    for (const [dirs, out] of [
      [members, path.join(dir, 'merged-m')],
      [shards, path.join(dir, 'merged-s')],
    ] as const) {
      const m = await merge([...dirs], out);
      expect(m.errors).toEqual([]);
      expect(m.code).toBe(0);
      expect(metricLines(out)).toEqual(metricLines(whole));
      expect(manifestOf(out).results).toEqual(w.results);
      expect(manifestOf(out).seedSummary).toEqual(w.seedSummary);
      expect(manifestOf(out).seeds).toEqual(seeds);
      expect(m.info.join('\n')).toMatch(/over 3 seeds \(5,0,7\)/);
    }

    // A part of another seed list is refused, with the lists named.
    const other = path.join(dir, 'other');
    expect((await go({ file, out: other, seeds: [5, 0, 8], part: { kind: 'member', index: 2 } })).code).toBe(0);
    const mixed = await merge([members[1] as string, members[2] as string, other], path.join(dir, 'bad'));
    expect(mixed.code).toBe(1);
    expect(mixed.errors.join('\n')).toMatch(/error\[E0855\]: .*other was run with --seeds 5,0,8, .* with --seeds 5,0,7/);

    // A seed list resumed continues its seeds: stopped in member 1, resumed, the same as whole.
    const stopped = path.join(dir, 'stopped');
    let steps = 0;
    const s = await go({ file, out: stopped, seeds, checkpointEvery: 5 }, { onStep: () => void steps++, shouldStop: () => steps >= 27 });
    expect(s.code).toBe(130);
    expect((await go({ file, resume: stopped })).code).toBe(0);
    expect(metricLines(stopped)).toEqual(metricLines(whole));
    expect(manifestOf(stopped).seedSummary).toEqual(w.seedSummary);
    // Resuming with another list would train other members: refused.
    const again = await go({ file, resume: stopped, seeds: [1, 2] });
    expect(again.code).toBe(1);
    expect(again.errors.join('\n')).toMatch(/--seeds 1,2 \(the run has seeds 5,0,7\)/);
  });

  it('refuses a sweep and a population, and a member past the list, in the user’s words', async () => {
    const dir = workspace({ 'sweep.xreg': sweepProgram(10, 5), 'pop.xreg': populationProgram(10, 5), 'p.xreg': seededProgram });
    const sweep = await go({ file: path.join(dir, 'sweep.xreg'), out: path.join(dir, 'a'), seeds: [0, 1] });
    expect(sweep.code).toBe(1);
    expect(sweep.errors.join('\n')).toMatch(/error\[E0853\]: --seeds: .* has a sweep \(lam, 3 values\)/);
    const pop = await go({ file: path.join(dir, 'pop.xreg'), out: path.join(dir, 'b'), seeds: [0, 1] });
    expect(pop.code).toBe(1);
    expect(pop.errors.join('\n')).toMatch(/error\[E0854\]/);
    const far = await go({ file: path.join(dir, 'p.xreg'), out: path.join(dir, 'c'), seeds: [0, 1], part: { kind: 'member', index: 2 } });
    expect(far.code).toBe(1);
    expect(far.errors.join('\n')).toMatch(/--member 2: the seed list has 2 seeds, 0 to 1 \(a member is a position in the list, not a seed\)/);
  });

  it('--workers 2: the seeds in two processes give the one-process run, member by member', async () => {
    const dir = workspace({ 'p.xreg': seededProgram });
    const file = path.join(dir, 'p.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole, seeds: [0, 1, 2] })).code).toBe(0);
    const plan = poolPlan({ file, set: {}, checkpointEvery: 1000, argv: [], workers: 2, seeds: [0, 1, 2] }, standardLibrary);
    expect(plan).toEqual({ workers: 2, members: 3, mode: 'seeds', resume: false, line: 'workers: 2 (the 3 seeds in 2 processes, each with its own backend; --workers 1 for one)' });
    const out = path.join(dir, 'pooled');
    const q = quietIO();
    const code = await runPool({ out, workers: 2, members: 3, argv: ['run', file, '--seeds', '0..2', '--workers', '2'], force: false, interrupted: () => false }, q.io, tsxWorker);
    expect(q.errors).toEqual([]);
    expect(code).toBe(0);
    expect(metricLines(out)).toEqual(metricLines(whole));
    expect(manifestOf(out).results).toEqual(manifestOf(whole).results);
    expect(manifestOf(out).seedSummary).toEqual(manifestOf(whole).seedSummary);
  });

  it('repeats an ensemble: each seed trains the whole unrolled ensemble, as --seed S does', async () => {
    const dir = workspace({ 'e.xreg': ensembleProgram });
    const file = path.join(dir, 'e.xreg');
    const list = path.join(dir, 'list');
    expect((await go({ file, out: list, seeds: [1, 2] })).code).toBe(0);
    const single = path.join(dir, 'two');
    expect((await go({ file, out: single, seed: 2 })).code).toBe(0);
    const mine = metricLines(list).filter((l) => (JSON.parse(l) as { member: number }).member === 1);
    expect(mine.map(valuesOf)).toEqual(metricLines(single).map(valuesOf));
    expect(Object.keys(manifestOf(list).seedSummary ?? {})).toEqual(['fit', 'gen', 'member_gen']);
  });
});
