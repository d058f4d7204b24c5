/**
 * Central finite differences for checking gradients, and closeness assertions with float32
 * tolerances. With f evaluated in float32, step h = 1e-3 balances truncation error O(h²) against
 * rounding error O(ε·|f|/h) ≈ 1e-4·|f|.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h for every i. */
export const centralDiff = (f: (x: Float64Array) => number, x: Float64Array, h = 1e-3): Float64Array => {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[i] = (xp[i] ?? 0) + h;
    xm[i] = (xm[i] ?? 0) - h;
    g[i] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
};

/** A scalar tensor function as a plain function of float64 values (evaluated in float32). */
export const asNumberFn =
  (shape: readonly number[], f: (t: tf.Tensor) => tf.Tensor) =>
  (x: Float64Array): number =>
    tf.tidy(() => f(tf.tensor(Float32Array.from(x), [...shape])).dataSync()[0] ?? Number.NaN);

/** The analytic gradient by `tf.grad` at x, as float64 values. */
export const tfGrad = (shape: readonly number[], f: (t: tf.Tensor) => tf.Tensor, x: Float64Array): Float64Array => {
  const g = tf.tidy(() => tf.grad((t: tf.Tensor) => f(t))(tf.tensor(Float32Array.from(x), [...shape])));
  const out = Float64Array.from(g.dataSync());
  g.dispose();
  return out;
};

/** Checks tf.grad of f at x against central differences. */
export const expectGradMatches = (
  shape: readonly number[],
  f: (t: tf.Tensor) => tf.Tensor,
  x: Float64Array,
  tol: { readonly rtol?: number; readonly atol?: number; readonly h?: number } = {},
): void => {
  const analytic = tfGrad(shape, f, x);
  const numeric = centralDiff(asNumberFn(shape, f), x, tol.h ?? 1e-3);
  expectAllClose(analytic, numeric, tol.rtol ?? 1e-2, tol.atol ?? 1e-3);
};

export const expectAllClose = (
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-5,
  atol = 1e-6,
): void => {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const e = expected[i] ?? Number.NaN;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) bad.push(`[${i}] ${a} vs ${e}`);
  }
  expect(bad.slice(0, 8)).toEqual([]);
};

export const seededCtx = (first = 1, stochastic = true): { stochastic: boolean; nextSeed: () => number } => {
  let s = first;
  return { stochastic, nextSeed: () => s++ };
};
