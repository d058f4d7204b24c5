/**
 * Forms lowering realizes beyond plain expressions, from compiled `.xreg` text: mixup (against a
 * float64 hand computation with the λ and partner permutation of a fixed key) and ensembles
 * (unrolled members: distinct initializations, rules that touch only their member, and the
 * ensemble mean against the members' values computed by hand).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { betaSymmetric, mixupDraw } from '../../compiler/lower/mixup.js';
import { Salt, seedStream } from '../../compiler/lower/seeds.js';
import type { Batches } from '../../compiler/lower/types.js';
import { makeRng } from '../../stdlib/data/random.js';
import { expectAllClose } from '../helpers/finite-diff.js';
import { numbers } from './lower-ir.js';
import { lowerText } from './lower-text.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const f64 = (t: tf.Tensor | undefined): Float64Array => Float64Array.from((t as tf.Tensor).dataSync());
const D = 64;
const C = 10;

/** x : [n, 64] in [-1, 1), y : [n] labels in 0..9. */
const digitsBatch = (n: number, seed: number): { x: Float64Array; y: Int32Array; batch: Record<string, tf.Tensor> } => {
  const x = Float64Array.from(Float32Array.from(numbers(n * D, seed)));
  const y = Int32Array.from(numbers(n, seed + 1), (v) => Math.min(C - 1, Math.floor(((v + 1) / 2) * C)));
  return { x, y, batch: { x: tf.tensor(Float32Array.from(x), [n, D]), y: tf.tensor(y, [n], 'int32') } };
};

/** Row-major x [n, D] @ w [D, C]. */
const logitsOf = (x: Float64Array, w: Float64Array, n: number): Float64Array => {
  const out = new Float64Array(n * C);
  for (let i = 0; i < n; i++) for (let k = 0; k < C; k++) for (let j = 0; j < D; j++) out[i * C + k] = (out[i * C + k] ?? 0) + (x[i * D + j] ?? 0) * (w[j * C + k] ?? 0);
  return out;
};

const softmaxRows = (z: Float64Array, n: number): Float64Array => {
  const p = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    const row = z.subarray(i * C, (i + 1) * C);
    const m = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => (p[i * C + k] = v / s));
  }
  return p;
};

/** mean_i −log p[i, y_i]. */
const nllOf = (p: Float64Array, y: Int32Array): number => Array.from(y, (c, i) => -Math.log(p[i * C + c] ?? 0)).reduce((a, b) => a + b, 0) / y.length;

const DATA = `data d = digits(path: "digits.csv.gz")
split d { train: 0.5, test: 0.5 } seed 0
param w : Tensor[64, 10] ~ normal(0, 0.1)
`;

describe('mixup', () => {
  const alpha = 0.4;
  const text = `${DATA}loss fit = mixup(cross_entropy(x @ w, y), alpha: ${alpha}) over train
update w by sgd(lr: 0.5) on fit
run 10 steps batch 4
`;

  it('is λ·CE(f(x̃), y) + (1 − λ)·CE(f(x̃), y_j) with x̃ = λx + (1 − λ)x_j, λ and j from the step key, and steps along its gradient', () => {
    const lw = lowerText(text);
    const [r] = lw.rules;
    if (r === undefined) throw new Error('rule');
    const n = 4;
    const b = digitsBatch(n, 17);
    const batches: Batches = { 'd.train': b.batch };
    const s0 = lw.init(5);
    const w = f64(s0.params['w']);
    const key = 4242;
    const draw = mixupDraw(seedStream(key, Salt.loss)(), alpha);
    const lam = draw.lambda;
    const j = draw.permutation(0, n);
    expect([...j].sort()).toEqual([0, 1, 2, 3]);
    expect(lam).toBeGreaterThan(0);
    expect(lam).toBeLessThan(1);
    const xm = b.x.map((v, k) => lam * v + (1 - lam) * (b.x[(j[Math.floor(k / D)] ?? 0) * D + (k % D)] ?? 0));
    const yj = Int32Array.from(j, (jj) => b.y[jj] ?? 0);
    const p = softmaxRows(logitsOf(xm, w, n), n);
    const expected = lam * nllOf(p, b.y) + (1 - lam) * nllOf(p, yj);
    expect(r.lossValue(s0, batches, key)).toBeCloseTo(expected, 5);
    expect(r.lossValue(s0, batches, key)).toBe(r.lossValue(s0, batches, key));
    expect(r.lossValue(s0, batches, key + 1)).not.toBe(r.lossValue(s0, batches, key));
    // ∇w = x̃ᵀ (p − λ·onehot(y) − (1 − λ)·onehot(y_j)) / n
    const g = new Float64Array(D * C);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < C; k++) {
        const t = (p[i * C + k] ?? 0) - (k === b.y[i] ? lam : 0) - (k === yj[i] ? 1 - lam : 0);
        for (let q = 0; q < D; q++) g[q * C + k] = (g[q * C + k] ?? 0) + ((xm[i * D + q] ?? 0) * t) / n;
      }
    const s1 = r.step(s0, batches, key);
    expectAllClose(f64(s1.params['w']), w.map((v, k) => v - 0.5 * (g[k] ?? 0)), 1e-5, 1e-6);
  });

  it('mixes float targets like inputs: mixup(mse(x @ v, y)) is mse(x̃ v, ỹ)', () => {
    const lw = lowerText(`data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, test: 1/2 } seed 0
param v : Tensor[4] ~ normal(0, 1)
loss fit = mixup(mse(x @ v, y), alpha: 1) over train
update v by sgd(lr: 0.1) on fit
`);
    const [r] = lw.rules;
    if (r === undefined) throw new Error('rule');
    const n = 5;
    const x = Float64Array.from(Float32Array.from(numbers(n * 4, 3)));
    const y = Float64Array.from(Float32Array.from(numbers(n, 4)));
    const s0 = lw.init(1);
    const v = f64(s0.params['v']);
    const key = 77;
    const draw = mixupDraw(seedStream(key, Salt.loss)(), 1);
    const j = draw.permutation(0, n);
    const lam = draw.lambda;
    let mse = 0;
    for (let i = 0; i < n; i++) {
      let pred = 0;
      for (let q = 0; q < 4; q++) pred += (lam * (x[i * 4 + q] ?? 0) + (1 - lam) * (x[(j[i] ?? 0) * 4 + q] ?? 0)) * (v[q] ?? 0);
      const t = lam * (y[i] ?? 0) + (1 - lam) * (y[j[i] ?? 0] ?? 0);
      mse += (pred - t) ** 2 / n;
    }
    const batches: Batches = { 'd.train': { x: tf.tensor(Float32Array.from(x), [n, 4]), y: tf.tensor(Float32Array.from(y), [n]) } };
    expect(r.lossValue(s0, batches, key)).toBeCloseTo(mse, 5);
  });

  it('draws λ from Beta(α, α): mean 1/2 and variance 1/(4(2α + 1))', () => {
    for (const a of [0.2, 2]) {
      const rng = makeRng(a * 1000);
      const xs = Array.from({ length: 6000 }, () => betaSymmetric(rng, a));
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
      expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(variance - 1 / (4 * (2 * a + 1)))).toBeLessThan(0.01);
    }
  });
});

describe('ensemble', () => {
  const text = `${DATA}loss fit = cross_entropy(x @ w, y) over train
ensemble 3 as avg {
  update w by sgd(lr: 0.5) on fit
}
metric avg_nll = nll(avg(softmax(x @ w)), y) over test
metric member_nll = cross_entropy(x @ w, y) over test
run 10 steps batch 4
`;

  it('is unrolled: member parameters start different, each member rule updates only its member', () => {
    const lw = lowerText(text);
    expect(lw.members).toBe(3);
    expect(lw.ir.ensemble).toBeUndefined();
    expect(lw.rules.map((r) => r.name)).toEqual(['update1@m0', 'update1@m1', 'update1@m2']);
    const s0 = lw.init(11);
    expect(Object.keys(s0.params).sort()).toEqual(['m0.w', 'm1.w', 'm2.w']);
    const ws = ['m0.w', 'm1.w', 'm2.w'].map((p) => f64(s0.params[p]));
    expect(ws[0]).not.toEqual(ws[1]);
    expect(ws[1]).not.toEqual(ws[2]);
    const b = digitsBatch(4, 23);
    const r1 = lw.rules[1];
    if (r1 === undefined) throw new Error('rule');
    const s1 = r1.step(s0, { 'd.train': b.batch }, 3);
    expect(s1.params['m0.w']).toBe(s0.params['m0.w']);
    expect(s1.params['m2.w']).toBe(s0.params['m2.w']);
    expect(s1.opt['update1@m0']).toBe(s0.opt['update1@m0']);
    // One plain SGD step of member 1 alone: w − 0.5 · xᵀ(softmax(xw) − onehot(y)) / n.
    const w1 = ws[1] ?? new Float64Array();
    const p = softmaxRows(logitsOf(b.x, w1, 4), 4);
    const expected = w1.map((v, k) => {
      const q = Math.floor(k / C);
      const c = k % C;
      let g = 0;
      for (let i = 0; i < 4; i++) g += ((b.x[i * D + q] ?? 0) * ((p[i * C + c] ?? 0) - (b.y[i] === c ? 1 : 0))) / 4;
      return v - 0.5 * g;
    });
    expectAllClose(f64(s1.params['m1.w']), expected, 1e-5, 1e-6);
  });

  it('avg(e) is the mean over members of e; a metric outside avg is the mean of the per-member values, each observed as name@m<i>', () => {
    const lw = lowerText(text);
    const s = lw.init(12);
    const n = 6;
    const b = digitsBatch(n, 31);
    const batches: Batches = { 'd.test': b.batch };
    const value = (name: string): number => {
      const m = lw.metrics.find((o) => o.name === name);
      if (m === undefined) throw new Error(`no metric ${name} in ${lw.metrics.map((o) => o.name).join(', ')}`);
      return m.evaluate(s, batches, 0).value;
    };
    const probs = [0, 1, 2].map((i) => softmaxRows(logitsOf(b.x, f64(s.params[`m${i}.w`]), n), n));
    const mean = new Float64Array(n * C).map((_, k) => probs.reduce((a, p) => a + (p[k] ?? 0), 0) / 3);
    expect(value('avg_nll')).toBeCloseTo(nllOf(mean, b.y), 5);
    const each = probs.map((p) => nllOf(p, b.y));
    each.forEach((v, i) => expect(value(`member_nll@m${i}`)).toBeCloseTo(v, 5));
    expect(value('member_nll')).toBeCloseTo(each.reduce((a, v) => a + v, 0) / 3, 5);
    // The mean of the probabilities is not the mean of the members' losses (log is not linear).
    expect(Math.abs(value('avg_nll') - value('member_nll'))).toBeGreaterThan(1e-6);
  });
});
