/**
 * A sweep run in parts and merged equals the whole run member by member: the same metrics.jsonl
 * lines, the same final and best values, the same member selected and the same selected
 * parameters. Parts that do not make one run are refused.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeRuns } from '../../runtime/merge.js';
import { go, workspace } from '../helpers/run-program.js';
import { manifestOf, metricLines, selectedW, sweepProgram } from '../helpers/sweep-parts.js';

const text = sweepProgram(30, 10);

const single = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 3)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] ~ normal(0, 0.1)
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.05) on fit
run 10 steps batch 10
`;

const merge = async (dirs: string[], out: string) => {
  const info: string[] = [];
  const errors: string[] = [];
  const code = await mergeRuns(dirs, out, ['merge'], { info: (l) => info.push(l), error: (l) => errors.push(l) });
  return { code, info, errors };
};

describe('xreg run --member / --shard, then xreg merge', () => {
  it('equals the whole run, member by member', async () => {
    const dir = workspace({ 'p.xreg': text });
    const file = path.join(dir, 'p.xreg');
    const whole = path.join(dir, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);

    const members = [0, 1, 2].map((i) => path.join(dir, `m${i}`));
    for (const [i, out] of members.entries()) {
      // Member 1 is stopped mid-way and resumed: the resumed part keeps its member and its records.
      if (i === 1) {
        let steps = 0;
        const stopped = await go({ file, out, part: { kind: 'member', index: i }, checkpointEvery: 5 }, { onStep: () => void steps++, shouldStop: () => steps >= 12 });
        expect(stopped.code).toBe(130);
      }
      const r = await go(i === 1 ? { file, resume: out } : { file, out, part: { kind: 'member', index: i } });
      expect(r.code).toBe(0);
      expect(manifestOf(out).part).toEqual([i]);
      // Only its own member's records.
      expect(metricLines(out).every((l) => (JSON.parse(l) as { member: number }).member === i)).toBe(true);
    }
    const shards = [0, 1].map((i) => path.join(dir, `s${i}`));
    for (const [i, out] of shards.entries()) expect((await go({ file, out, part: { kind: 'shard', index: i, of: 2 } })).code).toBe(0);
    expect(manifestOf(shards[0] as string).part).toEqual([0, 2]);

    const w = manifestOf(whole);
    // Parts given in any order.
    for (const [dirs, out] of [
      [[...members].reverse(), path.join(dir, 'merged-m')],
      [shards, path.join(dir, 'merged-s')],
    ] as const) {
      const r = await merge([...dirs], out);
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      expect(metricLines(out)).toEqual(metricLines(whole));
      const m = manifestOf(out);
      expect(m.results).toEqual(w.results);
      expect(m.selected).toBe(w.selected);
      expect(await selectedW(out, text)).toEqual(await selectedW(whole, text));
      expect(m.mergedFrom).toEqual([...dirs]);
    }
    // The selected member is not the last one trained: selection really ran over all parts.
    expect(w.selected).toBeDefined();
    expect(w.selected).not.toBe(2);
    expect(w.results?.length).toBe(3);

    // A member missing, or given twice, is refused (never silently lost or counted twice).
    const missing = await merge([members[0] as string, members[2] as string], path.join(dir, 'bad1'));
    expect(missing.code).toBe(1);
    expect(missing.errors.join('\n')).toMatch(/member 1 of 3 missing/);
    const twice = await merge([...shards, members[1] as string], path.join(dir, 'bad2'));
    expect(twice.code).toBe(1);
    expect(twice.errors.join('\n')).toMatch(/member 1 is in both/);
    // Parts of runs with other settings do not merge.
    const other = path.join(dir, 'other');
    expect((await go({ file, out: other, part: { kind: 'member', index: 1 }, seed: 99 })).code).toBe(0);
    const mixed = await merge([members[0] as string, other, members[2] as string], path.join(dir, 'bad3'));
    expect(mixed.errors.join('\n')).toMatch(/seed 99, not/);
  });

  it('refuses a member index out of range, and a program without members', async () => {
    const dir = workspace({ 'p.xreg': text, 's.xreg': single });
    const far = await go({ file: path.join(dir, 'p.xreg'), out: path.join(dir, 'x'), part: { kind: 'member', index: 3 } });
    expect(far.code).toBe(1);
    expect(far.errors.join('\n')).toMatch(/--member 3: the sweep has 3 members, 0 to 2/);
    // An ensemble's member trains alone (test/distributed/ensemble.test.ts); a single model has no members.
    const one = await go({ file: path.join(dir, 's.xreg'), out: path.join(dir, 'y'), part: { kind: 'member', index: 0 } });
    expect(one.code).toBe(1);
    expect(one.errors.join('\n')).toMatch(/--member 0: this program has no sweep, ensemble or population: it is a single model \(a seed list, --seeds 0..4, has a member per seed\)/);
  });
});
