/**
 * The two optimizers the path programs use to solve their problems exactly: `prox_sgd` against the
 * closed-form soft-threshold (one step, and the fixed point on a separable quadratic), and `newton`
 * against a float64 Cholesky solve of a random SPD quadratic whose gradient the test supplies.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { softThreshold, solveSPD } from '../../stdlib/baselines/index.js';
import { newton, proxSgd, validateOptimizerOptions } from '../../stdlib/optimizers/index.js';
import { solveLU } from '../../stdlib/optimizers/newton.js';
import type { ConstArgs, OptimizerDef, OptState } from '../../stdlib/types.js';
import { rng } from '../helpers/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `steps` updates of `opt` with gradients from `grad` (float64, on the flattened parameters). */
const iterate = (
  opt: OptimizerDef,
  options: ConstArgs,
  shapes: readonly number[][],
  x0: readonly number[],
  grad: (x: readonly number[]) => number[],
  steps: number,
): number[] => {
  let o = 0;
  let params = shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const p = tf.tensor(x0.slice(o, o + n), s);
    o += n;
    return p;
  });
  let state: OptState = opt.init(params, options);
  const lr = typeof options['lr'] === 'number' ? options['lr'] : 1;
  for (let k = 0; k < steps; k++) {
    const x = params.flatMap((p) => Array.from(p.dataSync()));
    const g = grad(x);
    let off = 0;
    const gs = params.map((p) => {
      const t = tf.tensor(g.slice(off, off + p.size), p.shape);
      off += p.size;
      return t;
    });
    const r = opt.step(params, gs, state, lr, options);
    for (const t of [...params, ...gs, ...Object.values(state.slots).flat()]) t.dispose();
    params = [...r.params];
    state = r.state;
  }
  const out = params.flatMap((p) => Array.from(p.dataSync()));
  for (const t of [...params, ...Object.values(state.slots).flat()]) t.dispose();
  return out;
};

describe('prox_sgd', () => {
  it('one step is the soft-threshold of a gradient step, with exact zeros', () => {
    const r = rng(3);
    const x = Array.from({ length: 12 }, () => Math.fround(r() * 2 - 1));
    const g = Array.from({ length: 12 }, () => Math.fround(r() * 2 - 1));
    const lr = 0.25;
    const l1 = 1.3;
    const got = iterate(proxSgd, { lr, l1 }, [[3, 4]], x, () => g, 1);
    const want = x.map((v, i) => softThreshold(v - lr * (g[i] ?? 0), lr * l1));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? Number.NaN, 6));
    expect(got.filter((v) => v === 0).length).toBe(want.filter((v) => v === 0).length);
    expect(want.filter((v) => v === 0).length).toBeGreaterThan(0);
  });

  it('with momentum, converges to the separable LASSO solution soft(z, λ₁/2) of ‖w − z‖² + λ₁‖w‖₁', () => {
    const r = rng(7);
    const z = Array.from({ length: 9 }, () => r() * 4 - 2);
    const l1 = 1.5;
    const got = iterate(proxSgd, { lr: 0.1, l1, momentum: 0.5 }, [[9]], new Array<number>(9).fill(0), (w) => w.map((v, i) => 2 * (v - (z[i] ?? 0))), 300);
    const want = z.map((v) => softThreshold(v, l1 / 2));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? Number.NaN, 5));
    want.forEach((v, i) => {
      if (v === 0) expect(Math.abs(got[i] ?? Number.NaN)).toBe(0);
    });
  });

  it('refuses a negative l1 or momentum ≥ 1', () => {
    expect(E.isLeft(validateOptimizerOptions(proxSgd, { lr: 0.1, l1: -1 }))).toBe(true);
    expect(E.isLeft(validateOptimizerOptions(proxSgd, { lr: 0.1, momentum: 1 }))).toBe(true);
    expect(E.isRight(validateOptimizerOptions(proxSgd, { lr: 0.1, l1: 0.5, momentum: 0.9 }))).toBe(true);
  });
});

describe('newton', () => {
  // f(x) = ½ xᵀAx − bᵀx with A = MᵀM + 0.01·I, ill-conditioned on purpose.
  const d = 10;
  const r = rng(11);
  const m = Array.from({ length: d * d }, () => r() * 2 - 1);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = i === j ? 0.01 : 0;
      for (let k = 0; k < d; k++) s += (m[k * d + i] ?? 0) * (m[k * d + j] ?? 0) * (k < 3 ? 100 : 1);
      a[i * d + j] = s;
    }
  const b = Array.from({ length: d }, () => r() * 2 - 1);
  const grad = (x: readonly number[]): number[] =>
    Array.from({ length: d }, (_, i) => {
      let s = -(b[i] ?? 0);
      for (let j = 0; j < d; j++) s += (a[i * d + j] ?? 0) * (x[j] ?? 0);
      return s;
    });
  const exact = solveSPD(a, b, d);

  it('lands on the minimizer of a quadratic after d probes and a few refinement steps, across parameter shapes', () => {
    if (exact === undefined) throw new Error('test matrix not SPD');
    const x0 = Array.from({ length: d }, () => r() - 0.5);
    const got = iterate(newton, { lr: 1 }, [[2, 3], [4]], x0, grad, d + 4);
    const scale = Math.max(...Array.from(exact, Math.abs));
    got.forEach((v, i) => expect(Math.abs(v - (exact[i] ?? Number.NaN)) / scale).toBeLessThan(1e-4));
  });

  it('is exact to float32 after the first Newton step (update d), not before', () => {
    if (exact === undefined) throw new Error('test matrix not SPD');
    const x0 = new Array<number>(d).fill(0);
    const scale = Math.max(...Array.from(exact, Math.abs));
    const err = (x: number[]): number => Math.max(...x.map((v, i) => Math.abs(v - (exact[i] ?? 0)))) / scale;
    expect(err(iterate(newton, { lr: 1 }, [[d]], x0, grad, d))).toBeGreaterThan(0.1);
    expect(err(iterate(newton, { lr: 1 }, [[d]], x0, grad, d + 1))).toBeLessThan(1e-2);
  });

  it('solveLU agrees with a Cholesky solve and reports a singular matrix', () => {
    const x = solveLU(a, Float64Array.from(b), d);
    if (x === undefined || exact === undefined) throw new Error('no solution');
    x.forEach((v, i) => expect(v).toBeCloseTo(exact[i] ?? Number.NaN, 8));
    expect(solveLU(new Float64Array([1, 2, 2, 4]), new Float64Array([1, 1]), 2)).toBeUndefined();
  });

  it('refuses a probe ≤ 0 or a negative damping', () => {
    expect(E.isLeft(validateOptimizerOptions(newton, { lr: 1, probe: 0 }))).toBe(true);
    expect(E.isLeft(validateOptimizerOptions(newton, { lr: 1, damping: -1 }))).toBe(true);
  });
});
