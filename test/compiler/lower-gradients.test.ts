/**
 * The numerics of lowering: rule gradients against central finite differences and float64 hand
 * computations, the projected (L1-orthogonal) update, and one step of the ridge program (eqs. 4–5).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import type { Batches, LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { standardLibrary } from '../../stdlib/registry.js';
import type { IRProgram } from '../../compiler/ir.js';
import { centralDiff, expectAllClose } from '../helpers/finite-diff.js';
import { bin, call, field, layer, numbers, over, p, param, program, rule } from './lower-ir.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const lower = (ir: IRProgram): LoweredProgram => {
  const r = lowerProgram(ir, standardLibrary);
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
  const loss = over('train', call('mse', [bin('@', field('train', 'x', ['B', d]), param('w', [d]), ['B']), field('train', 'y', ['B'])]));
  const ir = program([p('w', [d], { kind: 'normal', mean: 0, std: 1 })], [rule('update1', ['w'], loss, {}, 1)]);

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
  const x = field('train', 'x', ['B', din]);
  const h1 = layer('dense', x, { w: 'net.dense1.w', b: 'net.dense1.b' }, ['B', h], { units: h });
  const h2 = layer('layer_norm', h1, {}, ['B', h], { affine: false });
  const h3 = layer('noise', h2, { log_sigma: 'net.noise.log_sigma' }, ['B', h], {}, true);
  const h4 = call('relu', [h3], ['B', h]);
  const out = layer('dense', h4, { w: 'net.dense2.w', b: 'net.dense2.b' }, ['B', 1], { units: 1 });
  const loss = over('train', call('mse', [out, field('train', 'y', ['B'])]));
  const params = [
    p('net.dense1.w', [din, h], { kind: 'glorot', fanIn: din, fanOut: h }),
    p('net.dense1.b', [h], { kind: 'normal', mean: 0, std: 0.1 }),
    p('net.noise.log_sigma', [], { kind: 'constant', value: -1 }, { role: 'noise_scale' }),
    p('net.dense2.w', [h, 1], { kind: 'glorot', fanIn: h, fanOut: 1 }),
    p('net.dense2.b', [1], { kind: 'zeros' }),
  ];
  const targets = params.map((q) => q.path);
  const ir = program(params, [rule('update1', targets, loss, {}, 1)]);

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
    const ls0 = f64(s0.params['net.noise.log_sigma'] as tf.Tensor)[0] ?? 0;
    const ls1 = f64(s1.params['net.noise.log_sigma'] as tf.Tensor)[0] ?? 0;
    expect(Math.abs(ls0 - ls1)).toBeGreaterThan(1e-6);
  });
});

describe('projected update: orthogonal to grad(l1(w))', () => {
  const n = 12;
  const d = 5;
  const lr = 0.1;
  const loss = over('train', call('mse', [bin('@', field('train', 'x', ['B', d]), param('w', [d]), ['B']), field('train', 'y', ['B'])]));
  const direction = call('l1', [param('w', [d])]);
  const ir = program(
    [p('w', [d], { kind: 'normal', mean: 0, std: 1 })],
    [rule('update1', ['w'], loss, { geometry: { kind: 'orthogonal', direction } }, lr)],
  );

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
  // data d = correlated_features(...); param theta : Tensor[100] ~ normal(0, 1) on sphere;
  // param rho : Scalar = 1; fn predict(x) = rho * (x @ theta);
  // update theta by sgd(lr: 0.01) on fit; update rho by sgd(lr: 0.01) on gen from step 0
  const d = 100;
  const n = 32;
  const eta = 0.01;
  const predict = (split: string) => bin('*', param('rho', []), bin('@', field(split, 'x', ['B', d]), param('theta', [d]), ['B']), ['B']);
  const fit = over('train', call('mse', [predict('train'), field('train', 'y', ['B'])]));
  const gen = over('reg', call('mse', [predict('reg'), field('reg', 'y', ['B'])]));
  const ir = program(
    [
      p('rho', [], { kind: 'constant', value: 1 }, { partition: 'rho', role: 'other' }),
      p('theta', [d], { kind: 'normal', mean: 0, std: 1 }, { onSphere: true }),
    ],
    [
      rule('update1', ['theta'], fit, { lossName: 'fit' }, eta),
      rule('update2', ['rho'], gen, { lossName: 'gen', partition: 'rho', splits: ['reg'], schedule: { every: { n: 1, unit: 'steps' }, from: { n: 0, unit: 'steps' } } }, eta),
    ],
    { run: { length: { n: 6000, unit: 'steps' }, batch: n } },
  );

  it('θ₁ = retract(θ₀ − η·tangent(∇θ L_train(θ₀, ρ₀))), then ρ₁ = ρ₀ − η ∇ρ L_reg(θ₁, ρ₀), to 1e-6', () => {
    const lowered = lower(ir);
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
