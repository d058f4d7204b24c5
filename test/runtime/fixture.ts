/**
 * A hand-written lowered program for executor tests: linear regression y ≈ x·w fitted by SGD with
 * momentum (the stdlib optimizer), gradient noise drawn from the step key, and a helper state (an
 * exponential average of the loss), so that a checkpoint must carry params, slots, t, helpers,
 * cursors and the key derivation for a resumed run to match.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { IRDuration, IRProgram, IRRule } from '../../compiler/ir.js';
import type { Batches, LoweredObservable, LoweredProgram, LoweredRule, RunState } from '../../compiler/lower/types.js';
import { sgd } from '../../stdlib/optimizers/index.js';
import { makeRng } from '../../stdlib/data/random.js';
import type { Dataset } from '../../stdlib/types.js';
import { fromSplits, type PreparedData } from '../../runtime/exec/data.js';

const pos = { line: 1, column: 1, offset: 0 };
const span = { file: 'fixture.xreg', start: pos, end: pos };
const F = 3;

export const dataset = (n: number, seed: number): Dataset => {
  const rng = makeRng(seed);
  const x = new Float32Array(n * F);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < F; j++) {
      const v = rng.normal();
      x[i * F + j] = v;
      s += v * (j + 1);
    }
    y[i] = s + 0.1 * rng.normal();
  }
  return { size: n, fields: { x: { dtype: 'float32', shape: [F], data: x }, y: { dtype: 'float32', shape: [], data: y } } };
};

const mse = (w: tf.Tensor, b: Batches, split: string): tf.Scalar => {
  const batch = b[`d.${split}`];
  if (batch === undefined) throw new Error(`fixture: no batch for ${split}`);
  const x = batch['x'] as tf.Tensor2D;
  const y = batch['y'] as tf.Tensor1D;
  return tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(x, tf.reshape(w, [F, 1])), [1]), y)));
};

export interface FixtureOptions {
  readonly run?: IRDuration;
  readonly batch?: number;
  readonly reportEvery?: IRDuration;
  readonly every?: IRDuration;
}

export const fixtureIR = (o: FixtureOptions = {}): IRProgram => {
  const rule: IRRule = {
    name: 'update1',
    targets: ['w'],
    partition: 'theta',
    optimizer: { name: 'sgd', options: { lr: 0.05, momentum: 0.9 } },
    lossName: 'fit',
    loss: { kind: 'const', value: 0, shape: [], span },
    splits: ['train'],
    batch: o.batch ?? 8,
    schedule: { every: o.every ?? { n: 1, unit: 'steps' } },
    geometry: { kind: 'none' },
    allowReg: false,
    span,
  };
  return {
    file: 'fixture.xreg',
    seed: 7,
    data: [
      {
        name: 'd',
        loader: 'fixture',
        args: {},
        transforms: [],
        schema: { x: { dtype: 'float32', shape: [F] }, y: { dtype: 'float32', shape: [] } },
        splits: [
          { name: 'train', fraction: 0.5, phase: -1 },
          { name: 'test', fraction: 0.5, phase: -1 },
        ],
        seed: 0,
        span,
      },
    ],
    params: [{ path: 'w', shape: [F], init: { kind: 'normal', mean: 0, std: 1 }, role: 'weight', partition: 'theta', onSphere: false, frozen: false, span }],
    partitions: { theta: ['w'] },
    run: { length: o.run ?? { n: 40, unit: 'steps' }, batch: o.batch ?? 8 },
    report: { every: o.reportEvery ?? { n: 5, unit: 'steps' }, items: ['fit', 'test_mse', 'ema'].map((name) => ({ name, expr: { kind: 'const' as const, value: 0, shape: [], span }, span })) },
    figures: [],
    phases: [],
    losses: [],
    metrics: [],
    rules: [rule],
  };
};

export const fixtureData = (ir: IRProgram, n = 64): PreparedData => {
  const all = dataset(n, 3);
  const half = n / 2;
  const slice = (a: number, b: number): Dataset => ({
    size: b - a,
    fields: Object.fromEntries(Object.entries(all.fields).map(([k, f]) => [k, { ...f, data: f.data.slice(a * (k === 'x' ? F : 1), b * (k === 'x' ? F : 1)) }])),
  });
  return fromSplits(ir, { 'd.train': slice(0, half), 'd.test': slice(half, n) });
};

export const fixtureProgram = (ir: IRProgram = fixtureIR()): LoweredProgram => {
  const options = { lr: 0.05, momentum: 0.9 };
  const rule: LoweredRule = {
    name: 'update1',
    ir: ir.rules[0] as IRRule,
    options,
    needs: [{ data: 'd', split: 'train', batch: ir.run.batch }],
    step: (s: RunState, b: Batches, key: number): RunState => {
      const w = s.params['w'] as tf.Tensor;
      const opt = s.opt['update1'];
      if (opt === undefined) throw new Error('fixture: no optimizer state');
      const grad = tf.tidy(() => {
        const g = tf.grad((v: tf.Tensor) => mse(v, b, 'train'))(w);
        return tf.add(g, tf.randomNormal(w.shape, 0, 0.01, 'float32', key));
      });
      const loss = tf.tidy(() => mse(w, b, 'train'));
      const r = sgd.step([w], [grad], opt, options.lr, options);
      grad.dispose();
      const ema = s.helpers['ema']?.['m'] as tf.Tensor;
      const nextEma = tf.tidy(() => tf.add(tf.mul(ema, 0.9), tf.mul(loss, 0.1)));
      loss.dispose();
      return { ...s, params: { ...s.params, w: r.params[0] as tf.Tensor }, opt: { ...s.opt, update1: r.state }, helpers: { ema: { m: nextEma } } };
    },
    lossValue: (s, b) => tf.tidy(() => mse(s.params['w'] as tf.Tensor, b, 'train').dataSync()[0] as number),
  };
  // The runtime reads observables asynchronously; here both reads are the synchronous one.
  const withAsync = (o: Omit<LoweredObservable, 'evaluateAsync'>): LoweredObservable => ({ ...o, evaluateAsync: async (s, b, k) => o.evaluate(s, b, k) });
  const obs = (name: string, split: string, batch: number | 'all'): LoweredObservable =>
    withAsync({
      name,
      needs: [{ data: 'd', split, batch }],
      evaluate: (s, b) => ({ value: tf.tidy(() => mse(s.params['w'] as tf.Tensor, b, split).dataSync()[0] as number), state: s }),
    });
  const emaObs = withAsync({ name: 'ema', needs: [], evaluate: (s) => ({ value: (s.helpers['ema']?.['m'] as tf.Tensor).dataSync()[0] as number, state: s }) });
  return {
    ir,
    init: (seed) => {
      const w = tf.randomNormal([F], 0, 1, 'float32', seed);
      return { step: 0, params: { w }, opt: { update1: sgd.init([w], options) }, helpers: { ema: { m: tf.scalar(0) } } };
    },
    rules: [rule],
    phases: [],
    losses: [obs('fit', 'train', ir.run.batch)],
    metrics: [obs('test_mse', 'test', 'all')],
    reports: [obs('fit', 'train', ir.run.batch), obs('test_mse', 'test', 'all'), emaObs],
    figures: [],
  };
};
