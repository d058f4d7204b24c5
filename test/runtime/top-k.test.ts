/**
 * `select best K by lowest M as NAME`: the K members with the best final M, best first, and the
 * metrics reading NAME(e) evaluated once on e averaged over exactly those members' parameters —
 * checked against the members' own logged values (sum(w) per member, averaged by hand). Misuse:
 * K beyond the sweep (E0522), NAME(e) outside a metric (E0523).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/helpers.js';
import { irOf } from '../compiler/lower-text.js';
import { go, metricsLines, workspace } from '../helpers/run-program.js';

const program = (k: number): string => `data d = correlated_features(base: 3, copies: 1, noise: 0.1, n: 120, seed: 2)
split d { train: 0.5, reg: 0.25, test: 0.25 } seed 0
param w : Tensor[3] = 0
sweep lam in [0, 0.3, 3, 30] {
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  update w by sgd(lr: 0.02) on fit
  metric gen = mse(x @ w, y) over reg
} select best ${k} by lowest gen as top
metric ens_sum = sum(top(w))
metric ens_test = mse(top(x @ w), y) over test
report every 20 steps: gen, sw = sum(w)
run 40 steps batch 30
`;

describe('select best K', () => {
  it('moves the metrics that read the ensemble after the sweep', () => {
    const sel = irOf(program(2)).sweep?.select;
    expect(sel).toMatchObject({ direction: 'lowest', metric: 'gen', best: 2, alias: 'top' });
    expect(sel?.after?.map((m) => m.name)).toEqual(['ens_sum', 'ens_test']);
    expect(irOf(program(2)).metrics.map((m) => m.name)).not.toContain('ens_sum');
  });

  it('keeps the K best members and averages over exactly their parameters', async () => {
    const dir = workspace({ 'k.xreg': program(2) });
    const r = await go({ file: `${dir}/k.xreg`, out: `${dir}/out` });
    expect(r.code).toBe(0);
    const last = new Map<number, Record<string, unknown>>();
    for (const l of metricsLines(`${dir}/out`)) last.set(l['member'] as number, l);
    const ranked = [...last.entries()].sort((a, b) => (a[1]['gen'] as number) - (b[1]['gen'] as number)).map(([i]) => i);
    const manifest = JSON.parse(readFileSync(`${dir}/out/manifest.json`, 'utf8')) as { selectedTop: { members: number[]; values: Record<string, number> } };
    expect(manifest.selectedTop.members).toEqual(ranked.slice(0, 2));
    const [a, b] = ranked;
    const byHand = ((last.get(a!)?.['sw'] as number) + (last.get(b!)?.['sw'] as number)) / 2;
    expect(manifest.selectedTop.values['ens_sum']).toBeCloseTo(byHand, 5);
    expect(Number.isFinite(manifest.selectedTop.values['ens_test'])).toBe(true);
    expect(r.info.join('\n')).toMatch(/the best 2: members \d, \d; their ensemble: ens_sum/);
  });

  it('refuses K beyond the sweep (E0522) and the ensemble outside a metric (E0523)', () => {
    expect(compile(program(5)).diagnostics.map((d) => d.code)).toContain('E0522');
    const inLoss = compile(program(2).replace('metric ens_sum = sum(top(w))', 'loss ens_sum = sum(top(w))'));
    expect(inLoss.diagnostics.map((d) => d.code)).toContain('E0523');
  });
});
