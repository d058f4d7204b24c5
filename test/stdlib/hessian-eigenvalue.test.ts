/**
 * λ_max by power iteration on Hessian-vector products, against functions with known Hessians, and
 * the exact product (a gradient of a gradient) against central differences of gradients on a small
 * network, where no closed form is at hand.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hessianVector, hessianVectorDifference, largestHessianEigenvalue, type Objective, type Product } from '../../stdlib/curvature/hessian.js';
import { func, useCpu } from './helpers/setup.js';

beforeAll(useCpu);

/** A = Q diag(λ) Qᵀ with Q a Householder reflection (orthogonal), as float64 rows. */
const symmetric = (lambdas: readonly number[]): number[][] => {
  const n = lambdas.length;
  const u = Array.from({ length: n }, (_, i) => Math.cos(1.3 * i + 0.4));
  const uu = u.reduce((a, b) => a + b * b, 0);
  const q = (i: number, j: number): number => (i === j ? 1 : 0) - (2 * (u[i] ?? 0) * (u[j] ?? 0)) / uu;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => lambdas.reduce((s, l, k) => s + q(i, k) * l * q(j, k), 0)));
};

const quadratic =
  (rows: number[][], b: readonly number[]): Objective =>
  ([p, q]) => {
    const th = tf.concat([p as tf.Tensor, q as tf.Tensor]);
    const n = rows.length;
    const ath = tf.matMul(tf.tensor2d(rows), th.reshape([n, 1])).reshape([n]);
    return tf.add(tf.mul(0.5, tf.sum(tf.mul(th, ath))), tf.sum(tf.mul(tf.tensor1d([...b]), th)));
  };

const read = (t: tf.Tensor): number => t.dataSync()[0] ?? Number.NaN;
const flatValues = (ts: readonly tf.Tensor[]): number[] => ts.flatMap((t) => [...t.dataSync()]);

describe.each<Product>(['exact', 'difference'])('largestHessianEigenvalue with %s products', (product) => {
  it('finds λ_max of ½ θᵀAθ + bᵀθ split over two tensors (the spectrum is known)', () => {
    const f = quadratic(symmetric([7.5, 3, 1, 0.5, 0.2, -0.1]), [1, -2, 0.5, 0, 3, 1]);
    const e = largestHessianEigenvalue(f, [tf.tensor1d([0.3, -0.1, 2]), tf.tensor1d([1, 1, -1])], { iterations: 40, product });
    expect(read(e.value)).toBeCloseTo(7.5, 3);
    expect(read(e.change)).toBeLessThan(1e-4);
  });
  it('a Hessian-vector product equals A v on a quadratic', () => {
    const rows = symmetric([2, 1, 0.5, 3]);
    const f = quadratic(rows, [0, 0, 0, 0]);
    const v = [0.5, -1, 2, 0.3];
    const theta = [tf.tensor1d([0.2, -0.7]), tf.tensor1d([1.1, 0.4])];
    const dir = [tf.tensor1d([0.5, -1]), tf.tensor1d([2, 0.3])];
    const got = flatValues(product === 'exact' ? hessianVector(f, theta, dir) : hessianVectorDifference(f, theta, dir, 1e-2));
    rows.forEach((r, i) => expect(got[i]).toBeCloseTo(r.reduce((s, x, j) => s + x * (v[j] ?? 0), 0), 3));
  });
  it('through exp: Σ exp(a_k θ_k) has λ_max = max a_k² exp(a_k θ_k)', () => {
    const a = [0.5, 1.5, -1, 2];
    const th = [0.2, 0.4, -1, -0.5];
    const f: Objective = ([t]) => tf.sum(tf.exp(tf.mul(tf.tensor1d(a), t as tf.Tensor)));
    const curv = a.map((ak, k) => ak * ak * Math.exp(ak * (th[k] ?? 0))).sort((x, y) => y - x);
    // the two largest are 2.72 and 1.82: (1.82/2.72)^(2·60) leaves no visible error
    const e = largestHessianEigenvalue(f, [tf.tensor1d(th)], { iterations: 60, product });
    expect(read(e.value)).toBeCloseTo(curv[0] ?? Number.NaN, 3);
  });
  it('on softplus of an orthonormal linear map it matches the closed-form Hessian Xᵀ diag(σ′) X', () => {
    const x = tf.tensor2d([
      [0.6, 0.8, 0],
      [-0.8, 0.6, 0],
      [0, 0, 1],
    ]);
    const f: Objective = ([t]) => tf.sum(tf.softplus(tf.matMul(x, (t as tf.Tensor).reshape([3, 1]))));
    const z = [0.6 * 0.3 - 0.8, -0.8 * 0.3 - 0.6, 2];
    const expected = Math.max(...z.map((v) => 1 / (1 + Math.exp(-v))).map((s) => s * (1 - s)));
    expect(read(largestHessianEigenvalue(f, [tf.tensor1d([0.3, -1, 2])], { iterations: 80, product }).value)).toBeCloseTo(expected, 3);
  });
});

describe('the exact product on a small network (no closed form)', () => {
  // a 4-5-3 tanh classifier with the library's cross-entropy (the one a program's loss uses):
  // tanh, exp and the log-sum-exp all on the path
  const x = tf.tensor2d(Array.from({ length: 6 * 4 }, (_, i) => Math.sin(1.7 * i + 0.3)), [6, 4]);
  const y = tf.tensor1d([0, 2, 1, 1, 0, 2], 'int32');
  const crossEntropy = func('cross_entropy');
  const f: Objective = ([w1, b1, w2]) => {
    const h = tf.tanh(tf.add(tf.matMul(x, w1 as tf.Tensor), b1 as tf.Tensor));
    return crossEntropy.apply([tf.matMul(h, w2 as tf.Tensor), y], { smoothing: 0 });
  };
  const init = (shape: number[], s: number): tf.Tensor => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(s * i + s)), shape);
  const theta = [init([4, 5], 0.9), init([5], 2.1), init([5, 3], 1.3)];

  it('H v agrees with a central difference of gradients along three directions', () => {
    for (const s of [0.4, 1.1, 2.7]) {
      const v = theta.map((t, i) => init(t.shape, s + i));
      const exact = flatValues(hessianVector(f, theta, v));
      const diff = flatValues(hessianVectorDifference(f, theta, v, 1e-2));
      const scale = Math.max(...diff.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-2);
      exact.forEach((e, i) => expect(Math.abs(e - (diff[i] ?? Number.NaN))).toBeLessThan(2e-3 * scale));
    }
  });
  it('λ_max from exact products equals λ_max from differences of gradients', () => {
    const exact = read(largestHessianEigenvalue(f, theta, { iterations: 100 }).value);
    const diff = read(largestHessianEigenvalue(f, theta, { iterations: 100, product: 'difference', step: 1e-2 }).value);
    expect(exact).toBeGreaterThan(0.01);
    expect(Math.abs(exact - diff)).toBeLessThan(2e-3 * exact);
  });
});
