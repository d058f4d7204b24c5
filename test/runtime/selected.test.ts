/**
 * A sweep with `select` keeps the chosen member's parameters (`OUT/selected`), since members are
 * trained one after another and only the last stays in memory. Checked independently: the saved
 * w, evaluated on the regularization split in float64, gives the selected member's logged metric,
 * which no other member logged.
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { need, requireSplits } from '../../bench/crossreg/splits.js';
import { loadCheckpoint, SELECTED_DIR } from '../../runtime/checkpoint/store.js';
import { mse } from '../../stdlib/baselines/index.js';
import { go, workspace } from '../helpers/run-program.js';

const text = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 3)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
sweep lam in [0.001, 0.3, 3, 30] {
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  update w by sgd(lr: 0.05) on fit
  metric gen = mse(x @ w, y) over reg
} select lowest gen
run 200 steps batch 30
report every 200: gen
`;

describe('sweep select', () => {
  it('saves the selected member’s parameters, whichever member it is', async () => {
    const dir = workspace({ 'p.xreg': text });
    const file = path.join(dir, 'p.xreg');
    const out = path.join(dir, 'out');
    const r = await go({ file, out });
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { selected?: number };
    const rows = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { member: number; gen: number | string });
    const sel = manifest.selected;
    if (sel === undefined) throw new Error('nothing selected');
    // Neither the first nor the last member: the saved one is not just whichever ran last.
    expect(sel).not.toBe(3);
    expect(r.info.some((l) => l.includes(path.join(out, SELECTED_DIR)))).toBe(true);

    const ck = await loadCheckpoint(path.join(out, SELECTED_DIR), {});
    if (E.isLeft(ck)) throw new Error(ck.left);
    const m = ck.right.snapshot.live[0];
    expect(m?.index).toBe(sel);
    const w = Float64Array.from(m?.state.params['w']?.dataSync() ?? []);
    const reg = need(await requireSplits(file), 'reg');
    // A non-finite value is written as "Infinity" or "NaN"; Number reads both.
    const logged = Number(rows.filter((x) => x.member === sel).at(-1)?.gen ?? NaN);
    expect(Math.abs(mse(reg, w) - logged) / logged).toBeLessThan(1e-4);
    const others = rows.filter((x) => x.member !== sel).map((x) => Number(x.gen));
    // A diverged member's "NaN" differs from the finite logged value too.
    for (const g of others) expect(Number.isNaN(g) || Math.abs(g - logged) / logged > 1e-3).toBe(true);
  });
});
