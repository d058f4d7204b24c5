/**
 * The numerics of lowering, on compiled `.xreg` text: rule gradients against central finite
 * differences and float64 hand computations, the projected (L1-orthogonal) update, and one step of
 * programs/crossreg/ridge.xreg (eqs. 4–5).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import type { Batches, LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { standardLibrary } from '../../stdlib/registry.js';
import type { IRProgram } from '../../compiler/ir.js';
import { compileText } from '../../compiler/compile.js';
import { centralDiff, expectAllClose } from '../helpers/finite-diff.js';
import { compile, errors } from './helpers.js';
import { numbers } from './lower-ir.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const irOf = (text: string): IRProgram => {
  const c = compile(text);
  if (c.ir === undefined || errors(c).length > 0) throw new Error(errors(c).map((d) => d.message).join('\n'));
  return c.ir;
};

const lower = (text: string | IRProgram): LoweredProgram => {
  const r = lowerProgram(typeof text === 'string' ? irOf(text) : text, standardLibrary);
  if (E.isLeft(r)) throw new Error(r.left.map((d) => d.message).join('\n'));
  return r.right;
};

const f64 = (t: tf.Tensor): Float64Array => Float64Array.from(t.dataSync());

/** The state with one parameter replaced by float64 values (rounded to float32). */
const withParam = (s: RunState, path: string, v: Float64Array, shape: readonly number[]): RunState => ({
  ...s,
  params: { ...s.params, [path]: tf.tensor(Float32Array.from(v), [...shape]) },
});

const batchOf = (n: number, d: number, seed: number): { x: Float64Array; y: Float64Array } => {
  const x = numbers(n * d, seed);
  const w = numbers(d, seed + 1);
  const e = numbers(n, seed + 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (x[i * d + j] ?? 0) * (w[j] ?? 0);
    y[i] = s + 0.1 * (e[i] ?? 0);
  }
  return { x, y };
};

const toBatch = (b: { x: Float64Array; y: Float64Array }, n: number, d: number): Record<string, tf.Tensor> => ({
  x: tf.tensor(Float32Array.from(b.x), [n, d]),
  y: tf.tensor(Float32Array.from(b.y), [n]),
});

/** ∇_w mean((Xw − y)²) in float64 from the float32 values the tensors hold. */
const mseGrad = (x: Float64Array, y: Float64Array, w: Float64Array, n: number, d: number, scale = 1): Float64Array => {
  const g = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let r = -(y[i] ?? 0);
    for (let j = 0; j < d; j++) r += scale * (x[i * d + j] ?? 0) * (w[j] ?? 0);
    for (let j = 0; j < d; j++) g[j] = (g[j] ?? 0) + ((2 * scale * r) / n) * (x[i * d + j] ?? 0);
  }
  return g;
};

const asF32 = (a: Float64Array): Float64Array => Float64Array.from(Float32Array.from(a));

describe('linear model mse(x @ w, y)', () => {
  const n = 16;
  const d = 4;
  const ir = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, test: 1/2 } seed 0
param w : Tensor[${d}] ~ normal(0, 1)
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 1) on fit
`;

  it('the step moves w by −lr·∇L, with ∇L equal to the float64 closed form and to finite differences', () => {
    const lowered = lower(ir);
    const s0 = lowered.init(3);
    const data = batchOf(n, d, 11);
    const batches: Batches = { 'd.train': toBatch(data, n, d) };
    const [r] = lowered.rules;
    if (r === undefined) throw new Error('no rule');
    const s1 = r.step(s0, batches, 5);
    const w0 = f64(s0.params['w'] as tf.Tensor);
    const applied = w0.map((v, i) => v - (f64(s1.params['w'] as tf.Tensor)[i] ?? 0));
    expectAllClose(applied, mseGrad(asF32(data.x), asF32(data.y), w0, n, d), 1e-5, 1e-6);
    const fd = centralDiff((w) => {
      const s = withParam(s0, 'w', w, [d]);
      const v = r.lossValue(s, batches, 5);
      (s.params['w'] as tf.Tensor).dispose();
      return v;
    }, w0);
    expectAllClose(applied, fd, 1e-2, 1e-3);
    expect(s1.opt['update1']?.t).toBe(1);
    expect(s1.step).toBe(s0.step);
  });
});

describe('layer-normalized noisy MLP: dense |> layer_norm(affine: false) |> noise |> relu |> dense', () => {
  const n = 8;
  const din = 3;
  const h = 4;
  const ir = irOf(`data d = correlated_features(base: ${din}, copies: 1, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, test: 1/2 } seed 0
model net(x) = x |> dense(${h}) |> layer_norm(affine: false) |> noise(init: -1) |> relu |> dense(1)
loss fit = mse(net(x), y) over train
update params(net) by sgd(lr: 1) on fit
`);
  const params = ir.params;

  it('with a fixed key the gradient w.r.t. every weight and log_sigma matches finite differences', () => {
    const lowered = lower(ir);
    const s0 = lowered.init(7);
    const batches: Batches = { 'd.train': toBatch(batchOf(n, din, 21), n, din) };
    const [r] = lowered.rules;
    if (r === undefined) throw new Error('no rule');
    const key = 1234;
    const s1 = r.step(s0, batches, key);
    let checked = 0;
    for (const q of params) {
      const before = f64(s0.params[q.path] as tf.Tensor);
      const applied = before.map((v, i) => v - (f64(s1.params[q.path] as tf.Tensor)[i] ?? 0));
      const fd = centralDiff((v) => {
        const s = withParam(s0, q.path, v, q.shape);
        const l = r.lossValue(s, batches, key);
        (s.params[q.path] as tf.Tensor).dispose();
        return l;
      }, before);
      expectAllClose(applied, fd, 2e-2, 2e-3);
      checked += fd.length;
    }
    expect(checked).toBe(din * h + h + 1 + h + 1);
    // The noise really enters the loss: its gradient is not zero.
    const noise = params.find((q) => q.role === 'noise_scale')?.path ?? '';
    const ls0 = f64(s0.params[noise] as tf.Tensor)[0] ?? 0;
    const ls1 = f64(s1.params[noise] as tf.Tensor)[0] ?? 0;
    expect(Math.abs(ls0 - ls1)).toBeGreaterThan(1e-6);
  });
});

describe('projected update: orthogonal to grad(l1(w))', () => {
  const n = 12;
  const d = 5;
  const lr = 0.1;
  const ir = `data d = correlated_features(base: ${d}, copies: 1, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, test: 1/2 } seed 0
param w : Tensor[${d}] ~ normal(0, 1)
loss fit = mse(x @ w, y) over train
update w by sgd(lr: ${lr}) on fit orthogonal to grad(l1(w))
`;

  it('applies −lr·(g − u uᵀg) with u = sign(w)/‖sign(w)‖, g the float64 gradient', () => {
    const lowered = lower(ir);
    const s0 = lowered.init(2);
    const data = batchOf(n, d, 31);
    const [r] = lowered.rules;
    if (r === undefined) throw new Error('no rule');
    const s1 = r.step(s0, { 'd.train': toBatch(data, n, d) }, 9);
    const w0 = f64(s0.params['w'] as tf.Tensor);
    expect(w0.every((v) => v !== 0)).toBe(true);
    const g = mseGrad(asF32(data.x), asF32(data.y), w0, n, d);
    const u = w0.map((v) => Math.sign(v) / Math.sqrt(d));
    const ug = u.reduce((a, ui, i) => a + ui * (g[i] ?? 0), 0);
    const expected = g.map((gi, i) => gi - (u[i] ?? 0) * ug);
    const applied = w0.map((v, i) => (v - (f64(s1.params['w'] as tf.Tensor)[i] ?? 0)) / lr);
    expectAllClose(applied, expected, 1e-4, 1e-5);
    // The L1 norm is unchanged to first order: the update is orthogonal to sign(w).
    expect(Math.abs(applied.reduce((a, v, i) => a + v * (u[i] ?? 0), 0))).toBeLessThan(1e-5);
  });
});

describe('one step of the ridge program (eqs. 4–5)', () => {
  // programs/crossreg/ridge.xreg as written, except that ρ's rule starts at step 0 (its first
  // update is what eq. 5 describes; the program waits until step 3000).
  const d = 100;
  const n = 32;
  const eta = 0.01;
  const file = 'programs/crossreg/ridge.xreg';
  const source = readFileSync(file, 'utf8');
  const text = source.replace(/from step \d+/, 'from step 0');
  const compiled = compileText(text, file, { readFile: (q) => E.right(readFileSync(q, 'utf8')) });

  it('compiles with the rule of ρ from step 0, and the paper’s learning rates', () => {
    expect(text).not.toBe(source);
    expect(errors(compiled)).toEqual([]);
    expect(compiled.ir?.rules.map((r) => [r.targets, r.optimizer.options['lr'], r.schedule.from?.n])).toEqual([
      [['theta'], eta, undefined],
      [['rho'], eta, 0],
    ]);
  });

  it('θ₁ = retract(θ₀ − η·tangent(∇θ L_train(θ₀, ρ₀))), then ρ₁ = ρ₀ − η ∇ρ L_reg(θ₁, ρ₀), to 1e-6', () => {
    if (compiled.ir === undefined) throw new Error('ridge.xreg does not compile');
    const lowered = lower(compiled.ir);
    const s0 = lowered.init(0);
    const train = batchOf(n, d, 41);
    const reg = batchOf(n, d, 51);
    const batches: Batches = { 'd.train': toBatch(train, n, d), 'd.reg': toBatch(reg, n, d) };
    const [r1, r2] = lowered.rules;
    if (r1 === undefined || r2 === undefined) throw new Error('two rules expected');
    const s1 = r1.step(s0, batches, 1);
    const s2 = r2.step(s1, batches, 2);

    const theta0 = f64(s0.params['theta'] as tf.Tensor);
    const rho0 = f64(s0.params['rho'] as tf.Tensor)[0] ?? Number.NaN;
    expect(Math.hypot(...theta0)).toBeCloseTo(1, 6);
    // eq. 4 in float64
    const g = mseGrad(asF32(train.x), asF32(train.y), theta0, n, d, rho0);
    const tg = theta0.reduce((a, t, i) => a + t * (g[i] ?? 0), 0);
    const stepped = theta0.map((t, i) => t - eta * ((g[i] ?? 0) - t * tg));
    const norm = Math.hypot(...stepped);
    const theta1 = stepped.map((t) => t / norm);
    expectAllClose(f64(s1.params['theta'] as tf.Tensor), theta1, 1e-6, 1e-6);
    expect(s1.params['rho']).toBe(s0.params['rho']);
    // eq. 5 in float64, at θ₁
    const rx = asF32(reg.x);
    const ry = asF32(reg.y);
    let grho = 0;
    for (let i = 0; i < n; i++) {
      let xt = 0;
      for (let j = 0; j < d; j++) xt += (rx[i * d + j] ?? 0) * (theta1[j] ?? 0);
      grho += (2 / n) * (rho0 * xt - (ry[i] ?? 0)) * xt;
    }
    expectAllClose(f64(s2.params['rho'] as tf.Tensor), [rho0 - eta * grho], 1e-6, 1e-6);
    expect(s2.params['theta']).toBe(s1.params['theta']);
  });
});
