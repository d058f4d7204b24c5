/**
 * Nested sweeps as a grid: one member per combination, the outer variable varying slowest; each
 * member's values in its records (`sweep`), the manifest's results and the summary; `select` over
 * the whole grid. Refused: sweeps side by side, a second select (E0228). E0605 is said once.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { compile } from '../compiler/helpers.js';
import { irOf } from '../compiler/lower-text.js';
import { go, metricsLines, workspace } from '../helpers/run-program.js';

const HEAD = `data d = correlated_features(base: 3, copies: 2, noise: 0.1, n: 120, seed: 2)
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[6] = 0
`;
const GRID = `${HEAD}sweep lam in [0, 10] {
  sweep lr in [0, 0.01, 0.02] {
    loss fit = mse(x @ w, y) + lam * l2(w) over train
    update w by sgd(lr: lr) on fit
    metric gen = mse(x @ w, y) over reg
  }
} select lowest gen
report every 10 steps: gen, wn = l2(w)
run 20 steps batch 30
`;

describe('nested sweeps', () => {
  it('are one grid: the product of the values, the outer varying slowest', () => {
    const sw = irOf(GRID).sweep;
    expect(sw?.variables).toEqual(['lam', 'lr']);
    expect(sw?.members).toEqual([
      { lam: 0, lr: 0 },
      { lam: 0, lr: 0.01 },
      { lam: 0, lr: 0.02 },
      { lam: 10, lr: 0 },
      { lam: 10, lr: 0.01 },
      { lam: 10, lr: 0.02 },
    ]);
    expect(sw?.select).toEqual({ direction: 'lowest', metric: 'gen' });
  });

  it("give each member both values: in its optimizer, its loss, its records, the manifest and the summary", async () => {
    const dir = workspace({ 'g.xreg': GRID });
    const r = await go({ file: `${dir}/g.xreg`, out: `${dir}/out` });
    expect(r.code).toBe(0);
    const lines = metricsLines(`${dir}/out`);
    const last = new Map<number, Record<string, unknown>>();
    for (const l of lines) last.set(l['member'] as number, l);
    expect([...last.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(last.get(4)?.['sweep']).toEqual({ lam: 10, lr: 0.01 });
    // lr 0 never moves w, whatever lam; lam 10 shrinks w against lam 0 at the same lr
    expect(last.get(0)?.['wn']).toBe(0);
    expect(last.get(3)?.['wn']).toBe(0);
    expect(last.get(5)?.['wn'] as number).toBeLessThan(last.get(2)?.['wn'] as number);
    const manifest = JSON.parse(readFileSync(`${dir}/out/manifest.json`, 'utf8')) as { results: { index: number; sweepValues?: Record<string, number> }[] };
    expect(manifest.results.map((m) => m.sweepValues)).toEqual(irOf(GRID).sweep?.members);
    expect(r.info.join('\n')).toMatch(/4 \(lam=10, lr=0\.01\)/);
  });

  it('bind a layer argument to the inner variable', () => {
    const ir = irOf(`data d = digits()
split d { train: 0.8, reg: 0.2 } seed 0
sweep wd in [0, 1e-3] {
  sweep r in [0.1, 0.4] {
    model net(x) = x |> dense(8) |> dropout(rate: r) |> dense(10)
    loss fit = cross_entropy(net(x), y) + wd * l2(params(net)) over train
    update params(net) by adam(lr: 1e-3) on fit
  }
}
run 2 steps batch 8
`);
    const m = ir.sweep?.members[3];
    expect(m).toEqual({ wd: 1e-3, r: 0.4 });
    const lowered = lowerProgram(ir, standardLibrary, { sweep: m! });
    expect(E.isRight(lowered)).toBe(true);
    const text = JSON.stringify(E.isRight(lowered) ? lowered.right.ir.sweep?.body.rules[0]?.loss : null);
    expect(text).toContain('"rate":0.4');
  });

  it('refuse sweeps side by side and a second select (E0228)', () => {
    const beside = compile(`${HEAD}sweep a in [1, 2] {
  loss fit = a * mse(x @ w, y) over train
  update w by sgd(lr: 0.01) on fit
}
sweep b in [1, 2] {
  metric gen = b * mse(x @ w, y) over reg
}
`);
    expect(beside.diagnostics.map((d) => d.code)).toContain('E0228');
    const twice = compile(`${HEAD}sweep a in [1, 2] {
  sweep b in [1, 2] {
    loss fit = a * b * mse(x @ w, y) over train
    update w by sgd(lr: 0.01) on fit
    metric gen = mse(x @ w, y) over reg
  } select lowest gen
} select lowest gen
`);
    expect(twice.diagnostics.filter((d) => d.code === 'E0228')).toHaveLength(1);
  });
});

describe('a sweep variable without a value (E0605)', () => {
  it('is reported once, in the words of a run, not of an API', () => {
    const ir = irOf(`${HEAD}sweep lr in [0.01, 0.02] {
  loss fit = mse(x @ w, y) over train
  update w by sgd(lr: lr) on fit
}
`);
    const r = lowerProgram(ir, standardLibrary, { sweep: {} });
    const ds = E.isLeft(r) ? r.left : [];
    expect(ds.map((d) => d.code)).toEqual(['E0605']);
    expect(ds[0]?.hint).not.toMatch(/options\.sweep/);
    expect(ds[0]?.message).not.toMatch(/^lowering:/);
  });
});
