/**
 * An unrolled ensemble trained in parts (`--member I`, `--shard I/N`) and merged: each member ends
 * with the whole run's parameters bit for bit, the parts' records hold the whole run's per-member
 * values, and the merge's final record — the ensemble's own values included, evaluated on the
 * joined parameters — is the whole run's last line, character for character. An ensemble whose
 * members train together (a rule reading their average) is refused.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolPlan } from '../../cli/commands/pool-plan.js';
import { runPool } from '../../cli/commands/run-pool.js';
import { loadCheckpoint } from '../../runtime/checkpoint/store.js';
import { mergeRuns } from '../../runtime/merge.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { go, workspace } from '../helpers/run-program.js';
import { ensembleProgram, manifestOf, metricLines } from '../helpers/sweep-parts.js';
import { quietIO, tsxWorker } from '../helpers/tsx-worker.js';

const coupled = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 3)
split d { train: 1/2, reg: 1/2 } seed 0
model net(x) = x |> dense(8) |> relu |> dense(1)
param t : Scalar = 1
loss fit = mse(net(x), y) over train
ensemble 2 as avg {
  update params(net) by adam(lr: 0.01) on fit
}
loss cal = mse(t * avg(net(x)), y) over reg
update t by sgd(lr: 0.01) on cal
run 20 steps batch 10
`;

const merge = async (dirs: string[], out: string) => {
  const info: string[] = [];
  const errors: string[] = [];
  const code = await mergeRuns(dirs, out, ['merge'], { info: (l) => info.push(l), error: (l) => errors.push(l) });
  return { code, info, errors };
};

const paramsOf = async (dir: string): Promise<Record<string, number[]>> => {
  const ck = await loadCheckpoint(dir, {});
  if (E.isLeft(ck)) throw new Error(ck.left);
  return Object.fromEntries(Object.entries(ck.right.snapshot.live[0]?.state.params ?? {}).map(([k, t]) => [k, Array.from(t.dataSync())]));
};

const parsed = (dir: string): Record<string, unknown>[] => metricLines(dir).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('an ensemble in parts', () => {
  it('trains each member as the whole run does; the merge evaluates the ensemble as the whole run did', async () => {
    const dir = workspace({ 'e.xreg': ensembleProgram });
    const file = path.join(dir, 'e.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const wholeParams = await paramsOf(whole);
    const members = [0, 1, 2].map((i) => path.join(dir, `m${i}`));
    for (const [i, out] of members.entries()) {
      // Member 1 is stopped mid-way and resumed: the resumed part keeps its member and its scope.
      if (i === 1) {
        let steps = 0;
        const stopped = await go({ file, out, part: { kind: 'member', index: i }, checkpointEvery: 5 }, { onStep: () => void steps++, shouldStop: () => steps >= 7 });
        expect(stopped.code).toBe(130);
      }
      const r = await go(i === 1 ? { file, resume: out } : { file, out, part: { kind: 'member', index: i } });
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      // Member i's parameters are the whole run's, bit for bit; the others never moved.
      const mine = await paramsOf(out);
      const own = Object.keys(wholeParams).filter((k) => k.startsWith(`m${i}.`));
      expect(own.length).toBeGreaterThan(0);
      for (const k of own) expect(mine[k]).toEqual(wholeParams[k]);
      for (const k of Object.keys(wholeParams).filter((k) => !k.startsWith(`m${i}.`))) expect(mine[k]).not.toEqual(wholeParams[k]);
      // Its records hold the whole run's values of member i, and nothing of the ensemble.
      const recs = parsed(out);
      const w = parsed(whole);
      expect(recs.map((r) => Object.keys(r).sort())).toEqual(w.map(() => ['epoch', `fit@m${i}`, `member_gen@m${i}`, 'step']));
      for (const [j, r] of recs.entries()) for (const k of [`fit@m${i}`, `member_gen@m${i}`]) expect(r[k]).toBe(w[j]?.[k]);
    }
    const shards = [0, 1].map((i) => path.join(dir, `s${i}`));
    for (const [i, out] of shards.entries()) expect((await go({ file, out, part: { kind: 'shard', index: i, of: 2 } })).code).toBe(0);

    for (const [dirs, out] of [
      [[...members].reverse(), path.join(dir, 'merged-m')],
      [shards, path.join(dir, 'merged-s')],
    ] as const) {
      const m = await merge([...dirs], out);
      expect(m.errors).toEqual([]);
      expect(m.code).toBe(0);
      // The last line, the ensemble's values included, character for character.
      expect(metricLines(out).at(-1)).toBe(metricLines(whole).at(-1));
      expect(manifestOf(out).results?.[0]?.final).toEqual(manifestOf(whole).results?.[0]?.final);
      expect(await paramsOf(out)).toEqual(wholeParams);
      // Earlier reports: every value the parts could compute, as the whole run logged it.
      const w = parsed(whole);
      for (const [j, r] of parsed(out).slice(0, -1).entries()) {
        expect(Object.keys(r)).not.toContain('gen');
        for (const [k, v] of Object.entries(r)) expect(v).toBe(w[j]?.[k]);
        expect(Object.keys(r).filter((k) => k.includes('@m')).length).toBe(6);
      }
      expect(m.info.join('\n')).toMatch(/merged the 3 members of the ensemble/);
    }

    // A member missing, or given twice, is refused.
    const missing = await merge([members[0] as string, members[2] as string], path.join(dir, 'bad'));
    expect(missing.code).toBe(1);
    expect(missing.errors.join('\n')).toMatch(/error\[E0857\]: ensemble member 1 of 3 missing/);
    const twice = await merge([...shards, members[1] as string], path.join(dir, 'bad2'));
    expect(twice.errors.join('\n')).toMatch(/error\[E0857\]: ensemble member 1 is in both/);
  });

  it('refuses an ensemble whose members train together, before writing anything', async () => {
    const dir = workspace({ 'c.xreg': coupled });
    const file = path.join(dir, 'c.xreg');
    const r = await go({ file, out: path.join(dir, 'never'), part: { kind: 'member', index: 1 } });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/error\[E0856\]: --member 1: the update at .*c\.xreg:10:1 reads every member of the ensemble \(its loss cal averages over them\)/);
    const plan = poolPlan({ file, set: {}, checkpointEvery: 1000, argv: ['run', file, '--workers', '2'], workers: 2, workersAsked: true }, standardLibrary);
    expect(plan.workers).toBe(1);
  });

  it('--workers 2 splits the members over two processes; without --workers an ensemble stays in one', async () => {
    const dir = workspace({ 'e.xreg': ensembleProgram });
    const file = path.join(dir, 'e.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    expect(poolPlan({ file, set: {}, checkpointEvery: 1000, argv: ['run', file], workers: 8 }, standardLibrary).workers).toBe(1);
    expect(poolPlan({ file, set: {}, checkpointEvery: 1000, argv: ['run', file, '--workers', '1'], workers: 1, workersAsked: true }, standardLibrary).line).toBe('workers: 1 (--workers 1: the ensemble of 3 trains unrolled, as one model)');
    const plan = poolPlan({ file, set: {}, checkpointEvery: 1000, argv: ['run', file, '--workers', '2'], workers: 2, workersAsked: true }, standardLibrary);
    expect(plan).toEqual({ workers: 2, members: 3, mode: 'ensemble', resume: false, line: 'workers: 2 (the 3 ensemble members in 2 processes, each with its own backend; --workers 1 for one)' });
    const out = path.join(dir, 'pooled');
    const q = quietIO();
    const code = await runPool({ out, workers: 2, members: 3, argv: ['run', file, '--workers', '2'], force: false, interrupted: () => false }, q.io, tsxWorker);
    expect(q.errors).toEqual([]);
    expect(code).toBe(0);
    expect(metricLines(out).at(-1)).toBe(metricLines(whole).at(-1));
    expect(await paramsOf(out)).toEqual(await paramsOf(whole));
  });
});
