/**
 * `on gen through fit for K steps`: the gradient of gen at θ_K, θ_{k+1} = θ_k − η∇θ fit(θ_k, ρ),
 * checked against central finite differences of the same map rewritten in float64 (linear model,
 * fit = mse + e^ρ‖w‖², gen = mse on other data); order 1 against ∂gen/∂ρ at a θ_K held fixed.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batches, RunState } from '../../compiler/lower/types.js';
import { numbers } from './lower-ir.js';
import { irOf, lowerText } from './lower-text.js';
import { compile, errors } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const d = 3;
const nt = 12;
const nr = 9;
const eta = 0.2;
const head = `data d = correlated_features(base: ${d}, copies: 1, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[${d}] = 0
param log_lam : Scalar = -1
loss fit = mse(x @ w, y) + exp(log_lam) * l2(w) over train
loss gen = mse(x @ w, y) over reg
update w by sgd(lr: ${eta}) on fit
`;

const xt = numbers(nt * d, 11);
const yt = numbers(nt, 12);
const xr = numbers(nr * d, 13);
const yr = numbers(nr, 14).map((v, i) => v + 2 * (xr[i * d + 1] ?? 0));
const w0 = [0.4, -0.3, 0.8];

const mseOf = (x: Float64Array, y: Float64Array, n: number, w: readonly number[]): number => {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let j = 0; j < d; j++) p += (x[i * d + j] ?? 0) * (w[j] ?? 0);
    s += (p - (y[i] ?? 0)) ** 2;
  }
  return s / n;
};

/** θ_K(ρ) in float64: K steps of gradient descent on mse_train + e^ρ‖w‖². */
const stepped = (rho: number, k: number, lr = eta): number[] => {
  let w = [...w0];
  for (let s = 0; s < k; s++) {
    const g = w.map((wj) => 2 * Math.exp(rho) * wj);
    for (let i = 0; i < nt; i++) {
      let p = 0;
      for (let j = 0; j < d; j++) p += (xt[i * d + j] ?? 0) * (w[j] ?? 0);
      const r = p - (yt[i] ?? 0);
      for (let j = 0; j < d; j++) g[j] = (g[j] ?? 0) + (2 / nt) * r * (xt[i * d + j] ?? 0);
    }
    w = w.map((wj, j) => wj - lr * (g[j] ?? 0));
  }
  return w;
};

const batches = (): Batches => ({
  'd.train': { x: tf.tensor(Float32Array.from(xt), [nt, d]), y: tf.tensor(Float32Array.from(yt), [nt]) },
  'd.reg': { x: tf.tensor(Float32Array.from(xr), [nr, d]), y: tf.tensor(Float32Array.from(yr), [nr]) },
});

/** The gradient rule 1 applies at (w0, ρ): its sgd(lr: 1) step. */
const applied = (text: string, rho: number): number => {
  const low = lowerText(text);
  const s0 = low.init(0);
  const state: RunState = { ...s0, params: { w: tf.tensor(Float32Array.from(w0)), log_lam: tf.scalar(rho) } };
  const s1 = low.rules[1]?.step(state, batches(), 0);
  return rho - (s1?.params['log_lam']?.dataSync()[0] ?? Number.NaN);
};

describe('through fit for K steps', () => {
  for (const k of [1, 3]) {
    it(`K = ${k}: equals the finite-difference derivative of gen(θ_K(ρ)) (float64 rewrite)`, () => {
      const text = `${head}update log_lam by sgd(lr: 1) on gen through fit for ${k} step${k === 1 ? '' : 's'}\n`;
      expect(irOf(text).rules[1]?.implicit?.method).toEqual({ kind: 'unrolled', steps: k, order: 2 });
      for (const rho of [-2, -0.5]) {
        const h = 1e-5;
        const fd = (mseOf(xr, yr, nr, stepped(rho + h, k)) - mseOf(xr, yr, nr, stepped(rho - h, k))) / (2 * h);
        const g = applied(text, rho);
        expect(Math.abs(fd)).toBeGreaterThan(1e-3);
        expect(Math.abs(g - fd) / Math.abs(fd)).toBeLessThan(2e-3);
      }
    });
  }

  it('lr: overrides the θ rule’s step size', () => {
    const text = `${head}update log_lam by sgd(lr: 1) on gen through fit(lr: 0.05) for 2 steps\n`;
    const rho = -1;
    const h = 1e-5;
    const fd = (mseOf(xr, yr, nr, stepped(rho + h, 2, 0.05)) - mseOf(xr, yr, nr, stepped(rho - h, 2, 0.05))) / (2 * h);
    expect(Math.abs(applied(text, rho) - fd) / Math.abs(fd)).toBeLessThan(2e-3);
  });

  it('order 1 holds θ_K constant: only the direct ∂/∂ρ of the outer loss at θ_K remains', () => {
    // gen2 = gen + 0.01·e^ρ: its first-order gradient is exactly 0.01·e^ρ, the path through θ dropped
    const text = `${head}loss gen2 = gen + 0.01 * exp(log_lam)\nupdate log_lam by sgd(lr: 1) on gen2 through fit(order: 1) for 3 steps\n`;
    for (const rho of [-1, 0.5]) expect(applied(text, rho)).toBeCloseTo(0.01 * Math.exp(rho), 6);
  });

  it('refuses what it cannot mean (E0223)', () => {
    const codes = (clause: string): string[] => errors(compile(`${head}update log_lam by sgd(lr: 1) on gen ${clause}\n`)).map((x) => x.code);
    expect(codes('through fit for 0 steps')).toEqual(['E0223']);
    expect(codes('through fit for 101 steps')).toEqual(['E0223']);
    expect(codes('through fit for 2 epochs')).toEqual(['E0223']);
    expect(codes('through fit(order: 3) for 1 step')).toEqual(['E0223']);
    expect(codes('through fit(solver: "neumann") for 1 step')).toEqual(['E0223']);
    expect(codes('through fit(order: 1)')).toEqual(['E0223']);
    expect(codes('through fit(solver: "lu")')).toEqual(['E0223']);
    expect(codes('through fit(scale: 0.1)')).toEqual(['E0223']);
    expect(codes('through fit(solver: "neumann", iterations: 30, scale: 0.1, tolerance: 1e-6, damping: 0.01)')).toEqual([]);
  });

  it('min: on the optimizer clamps the updated value after the step (λ ≥ 0 as in T1–T2)', () => {
    const text = `${head}update log_lam by sgd(lr: 1000, min: 0.25) on gen through fit for 1 step\n`;
    const low = lowerText(text);
    const s0 = low.init(0);
    const state: RunState = { ...s0, params: { w: tf.tensor(Float32Array.from(w0)), log_lam: tf.scalar(0.5) } };
    const g = applied(`${head}update log_lam by sgd(lr: 1) on gen through fit for 1 step\n`, 0.5);
    const after = low.rules[1]?.step(state, batches(), 0).params['log_lam']?.dataSync()[0];
    // the unclamped step would be 0.5 − 1000·g
    expect(0.5 - 1000 * g).toBeLessThan(0.25);
    expect(after).toBe(0.25);
  });

  it('a second derivative through clip (its gradient uses comparisons) is defined', () => {
    const text = `${head}loss gen3 = mse(clip(x @ w, -0.5, 0.5), y) over reg\nupdate log_lam by sgd(lr: 1) on gen3 through fit for 1 step\n`;
    expect(Number.isFinite(applied(text, -1))).toBe(true);
  });
});
