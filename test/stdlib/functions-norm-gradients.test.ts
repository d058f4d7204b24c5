/**
 * Gradients of the regularizer norms where TensorFlow.js's own are wrong for the language: l1's at
 * zeros (tfjs's abs gradient is −1 at 0; the language says sign(0) = 0) and norm's at w = 0 (NaN
 * from 0/0). Checked against sign(x) and x/‖x‖ written in float64, and central differences.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import type { Batches } from '../../compiler/lower/types.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { asNumberFn, centralDiff, expectAllClose, tfGrad } from '../helpers/finite-diff.js';
import { func, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

const apply = (name: string) => (x: tf.Tensor): tf.Tensor => func(name).apply([x], {});

const n = 8;
const d = 3;

/** One compiled rule on w = 0 fitted to `gen` (split reg), with a batch of the reg split. */
const oneRule = (tail: string) => {
  const text = `data d = correlated_features(base: ${d}, copies: 1, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[${d}] = 0
loss gen = mse(x @ w, y) over reg
update w by sgd(lr: 0.1) on gen ${tail}
`;
  const compiled = compileText(text, 'at-zero.xreg', { readFile: () => E.left('no files') });
  expect(compiled.diagnostics.filter((q) => q.severity === 'error').map((q) => q.message)).toEqual([]);
  if (compiled.ir === undefined) throw new Error('no IR');
  const lowered = lowerProgram(compiled.ir, standardLibrary);
  if (E.isLeft(lowered)) throw new Error(lowered.left.map((q) => q.message).join('\n'));
  const [rule] = lowered.right.rules;
  if (rule === undefined) throw new Error('no rule');
  const xs = Float32Array.from(values(n * d, 3));
  const ys = Float32Array.from(values(n, 4), (v) => v + 1);
  const batches: Batches = { 'd.reg': { x: tf.tensor(xs, [n, d]), y: tf.tensor(ys, [n]) } };
  return { rule, s0: lowered.right.init(1), batches, xs, ys };
};

describe('l1 gradient is sign(x), 0 at zeros', () => {
  it('at a vector with zeros, the gradient is sign(x) with 0 where x = 0', () => {
    const x = Float64Array.from([0, 1.5, -0.25, 0, -3, 0.5]);
    const g = tfGrad([6], apply('l1'), x);
    expect(Array.from(g)).toEqual(Array.from(x, (v) => (v === 0 ? 0 : Math.sign(v))));
  });

  it('away from zeros it matches central differences', () => {
    const x = Float64Array.from(values(8, 5), (v) => (v >= 0 ? v + 0.1 : v - 0.1));
    expectAllClose(tfGrad([8], apply('l1'), x), centralDiff(asNumberFn([8], apply('l1')), x), 1e-2, 1e-3);
  });

  it('the value is still Σ|x|', () => {
    const x = Float64Array.from(values(8, 9));
    const got = tf.tidy(() => apply('l1')(tf.tensor(Float32Array.from(x))).dataSync()[0] ?? Number.NaN);
    expectAllClose([got], [x.reduce((a, v) => a + Math.abs(Math.fround(v)), 0)], 1e-5, 1e-6);
  });

  it('a compiled `along grad(l1(w))` rule leaves w = 0 unchanged after one step', () => {
    const { rule, s0, batches, xs, ys } = oneRule('along grad(l1(w))');
    // The gen loss does have a gradient at w = 0, so only the zero direction keeps w still.
    const gen = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.matMul(tf.tensor(xs, [n, d]), tf.reshape(w, [d, 1])), tf.reshape(tf.tensor(ys), [n, 1])))))(tf.zeros([d])));
    expect(Array.from(gen.dataSync()).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    const s1 = rule.step(s0, batches, 7);
    expect(Array.from((s1.params['w'] as tf.Tensor).dataSync())).toEqual([0, 0, 0]);
  });
});

describe('norm gradient is x/‖x‖, 0 at x = 0', () => {
  it('away from 0 it matches x/‖x‖ in float64 and central differences', () => {
    const x = Float64Array.from(values(6, 11), (v) => 2 * v);
    const g = tfGrad([2, 3], apply('norm'), x);
    const f = Array.from(x, Math.fround);
    const r = Math.sqrt(f.reduce((a, v) => a + v * v, 0));
    expectAllClose(g, f.map((v) => v / r), 1e-5, 1e-6);
    expectAllClose(g, centralDiff(asNumberFn([2, 3], apply('norm')), x), 1e-2, 1e-3);
  });

  it('at x = 0 the gradient is 0 (not NaN) and the value 0', () => {
    const x = new Float64Array(4);
    expect(Array.from(tfGrad([4], apply('norm'), x))).toEqual([0, 0, 0, 0]);
    expect(asNumberFn([4], apply('norm'))(x)).toBe(0);
  });

  it('a compiled rule on `gen + 0.1 * norm(w)` from w = 0 steps to finite values', () => {
    const { rule, s0, batches } = oneRule('+ 0.1 * norm(w)');
    const w1 = Array.from((rule.step(s0, batches, 7).params['w'] as tf.Tensor).dataSync());
    expect(w1.every(Number.isFinite)).toBe(true);
    expect(w1.some((v) => v !== 0)).toBe(true);
  });
});
