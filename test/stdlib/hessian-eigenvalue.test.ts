/** λ_max by power iteration on Hessian-vector products, against functions with known Hessians. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hessianVector, largestHessianEigenvalue } from '../../stdlib/curvature/hessian.js';
import { useCpu } from './helpers/setup.js';

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
  (rows: number[][], b: readonly number[]) =>
  ([p, q]: readonly tf.Tensor[]): tf.Tensor => {
    const th = tf.concat([p as tf.Tensor, q as tf.Tensor]);
    const n = rows.length;
    const ath = tf.matMul(tf.tensor2d(rows), th.reshape([n, 1])).reshape([n]);
    return tf.add(tf.mul(0.5, tf.sum(tf.mul(th, ath))), tf.sum(tf.mul(tf.tensor1d([...b]), th)));
  };

describe('largestHessianEigenvalue', () => {
  it('finds λ_max of ½ θᵀAθ + bᵀθ split over two tensors (the spectrum is known)', () => {
    const f = quadratic(symmetric([7.5, 3, 1, 0.5, 0.2, -0.1]), [1, -2, 0.5, 0, 3, 1]);
    const e = largestHessianEigenvalue(f, [tf.tensor1d([0.3, -0.1, 2]), tf.tensor1d([1, 1, -1])], { iterations: 200, tolerance: 1e-7 });
    expect(e.value).toBeCloseTo(7.5, 2);
    expect(e.products).toBeLessThan(200);
  });
  it('a Hessian-vector product equals A v on a quadratic', () => {
    const rows = symmetric([2, 1, 0.5, 3]);
    const f = quadratic(rows, [0, 0, 0, 0]);
    const v = [0.5, -1, 2, 0.3];
    const hv = hessianVector(f, [tf.tensor1d([0.2, -0.7]), tf.tensor1d([1.1, 0.4])], [tf.tensor1d([0.5, -1]), tf.tensor1d([2, 0.3])], 1e-2);
    const got = [...(hv[0]?.dataSync() ?? []), ...(hv[1]?.dataSync() ?? [])];
    rows.forEach((r, i) => expect(got[i]).toBeCloseTo(r.reduce((s, x, j) => s + x * (v[j] ?? 0), 0), 3));
  });
  it('through exp (which a gradient of a gradient gets wrong here): Σ exp(a_k θ_k) has λ_max = max a_k² exp(a_k θ_k)', () => {
    const a = [0.5, 1.5, -1, 2];
    const th = [0.2, 0.4, -1, -0.5];
    const f = ([t]: readonly tf.Tensor[]): tf.Tensor => tf.sum(tf.exp(tf.mul(tf.tensor1d(a), t as tf.Tensor)));
    const expected = Math.max(...a.map((ak, k) => ak * ak * Math.exp(ak * (th[k] ?? 0))));
    const e = largestHessianEigenvalue(f, [tf.tensor1d(th)], { iterations: 300, tolerance: 1e-8 });
    expect(e.value).toBeCloseTo(expected, 2);
  });
  it('on softplus of an orthonormal linear map it matches the closed-form Hessian Xᵀ diag(σ′) X', () => {
    const x = tf.tensor2d([
      [0.6, 0.8, 0],
      [-0.8, 0.6, 0],
      [0, 0, 1],
    ]);
    const f = ([t]: readonly tf.Tensor[]): tf.Tensor => tf.sum(tf.softplus(tf.matMul(x, (t as tf.Tensor).reshape([3, 1]))));
    const z = [0.6 * 0.3 - 0.8, -0.8 * 0.3 - 0.6, 2];
    const expected = Math.max(...z.map((v) => 1 / (1 + Math.exp(-v))).map((s) => s * (1 - s)));
    expect(largestHessianEigenvalue(f, [tf.tensor1d([0.3, -1, 2])], { iterations: 300, tolerance: 1e-8 }).value).toBeCloseTo(expected, 3);
  });
});
