/**
 * The SRN comparison's functions against float64 loops: the zscore readings (window, freeze), the
 * risk head, LogitNorm's loss and R-Drop's symmetric KL.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkStatefulOptions } from '../../stdlib/functions/index.js';
import { ZSCORE_EPS } from '../../stdlib/functions/zscore.js';
import type { ConstArgs } from '../../stdlib/types.js';
import { expectAllClose } from '../helpers/finite-diff.js';
import { func, leftMessage, stateful, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

const feed = (xs: readonly number[], options: ConstArgs): number[] => {
  const f = stateful('zscore');
  let state = f.init(options);
  return xs.map((x) => {
    const xt = tf.scalar(x);
    const r = f.apply(state, xt, options);
    tf.dispose([xt, ...Object.values(state)]);
    state = r.state;
    const v = r.value.dataSync()[0] ?? Number.NaN;
    r.value.dispose();
    return v;
  });
};

const meanVar = (v: readonly number[]): [number, number] => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length];
};

const xs = Array.from(values(30, 4), (v, i) => 2 + v - 0.1 * i);

describe('zscore readings', () => {
  it('window: N standardizes by the last N values (the current one included)', () => {
    const ref = xs.map((x, i) => {
      const [m, v] = meanVar(xs.slice(Math.max(0, i - 6), i + 1));
      return (x - m) / Math.sqrt(v + ZSCORE_EPS);
    });
    expectAllClose(feed(xs, { window: 7 }), ref, 2e-3, 2e-3);
  });
  it('freeze: N standardizes by the first N values, then keeps those statistics', () => {
    const [m, v] = meanVar(xs.slice(0, 5));
    const ref = xs.map((x, i) => {
      const [mi, vi] = i < 5 ? meanVar(xs.slice(0, i + 1)) : [m, v];
      return (x - mi) / Math.sqrt(vi + ZSCORE_EPS);
    });
    expectAllClose(feed(xs, { freeze: 5 }), ref, 2e-3, 2e-3);
  });
  it('the running reading standardizes a steady fall to a constant near −√(1 − α); frozen, z keeps falling', () => {
    const fall = Array.from({ length: 300 }, (_, i) => 3 - 0.002 * i);
    const run = feed(fall, { momentum: 0.9 });
    expect(run[299]).toBeCloseTo(-Math.sqrt(0.9), 2);
    expect(Math.abs((run[299] ?? 0) - (run[200] ?? 0))).toBeLessThan(1e-2);
    const frozen = feed(fall, { freeze: 20 });
    expect(frozen[299]).toBeLessThan((frozen[200] ?? 0) - 5);
  });
  it('refuses both readings at once, and counts that are not whole numbers ≥ 0', () => {
    expect(leftMessage(checkStatefulOptions('zscore', { window: 5, freeze: 5 }))).toContain('window or freeze, not both');
    expect(leftMessage(checkStatefulOptions('zscore', { window: -1 }))).toContain('window must be a whole number');
    expect(leftMessage(checkStatefulOptions('zscore', { freeze: 2.5 }))).toContain('freeze must be a whole number');
  });
});

const apply1 = (name: string, x: readonly number[], o: ConstArgs): number[] => Array.from(func(name).apply([tf.tensor1d([...x])], o).dataSync());

describe('risk_head', () => {
  const p = [-30, -2, 0, 1.5, 40];
  const softplus = (v: number): number => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);
  it('"softplus" is min(softplus(p), r_max); "signed" is r_max·tanh(p / r_max); "softplus_tanh" caps smoothly', () => {
    expectAllClose(apply1('risk_head', p, {}), p.map((v) => Math.min(softplus(v), 10)), 1e-5, 1e-5);
    expectAllClose(apply1('risk_head', p, { head: 'signed', r_max: 4 }), p.map((v) => 4 * Math.tanh(v / 4)), 1e-5, 1e-5);
    expectAllClose(apply1('risk_head', p, { head: 'softplus_tanh' }), p.map((v) => 10 * Math.tanh(softplus(v) / 10)), 1e-5, 1e-5);
  });
  it('only the signed head can go below 0', () => {
    expect(Math.min(...apply1('risk_head', p, {}))).toBeGreaterThanOrEqual(0);
    expect(Math.min(...apply1('risk_head', p, { head: 'signed' }))).toBeLessThan(-9);
  });
  it('names the heads when given another', () => {
    expect(leftMessage(func('risk_head').infer([[1]], { head: 'relu' }))).toContain('"softplus", "softplus_tanh", "signed"');
  });
});

const logits = [
  [2, -1, 0.5],
  [0.1, 0.2, -3],
];
const labels = [0, 2];
const logSoftmax = (r: readonly number[]): number[] => {
  const m = Math.max(...r);
  const lse = m + Math.log(r.reduce((a, v) => a + Math.exp(v - m), 0));
  return r.map((v) => v - lse);
};

describe('logit_norm_loss', () => {
  it('is the cross-entropy of logits / (τ‖logits‖) per example', () => {
    const tau = 0.5;
    const ref =
      -logits.reduce((a, r, i) => {
        const n = Math.hypot(...r);
        return a + (logSoftmax(r.map((v) => v / (tau * n)))[labels[i] ?? 0] ?? 0);
      }, 0) / logits.length;
    const v = func('logit_norm_loss').apply([tf.tensor2d(logits), tf.tensor1d(labels, 'int32')], { temperature: tau }).dataSync()[0];
    expect(v).toBeCloseTo(ref, 5);
  });
  it('does not change when the logits are scaled', () => {
    const f = (s: number): number => func('logit_norm_loss').apply([tf.mul(tf.tensor2d(logits), s), tf.tensor1d(labels, 'int32')], {}).dataSync()[0] ?? 0;
    expect(f(7)).toBeCloseTo(f(1), 4);
  });
});

describe('sym_kl', () => {
  const other = [
    [0, 0, 1],
    [1, -1, 0.3],
  ];
  it('is ½(KL(p‖q) + KL(q‖p)), mean over the batch', () => {
    const ref =
      logits.reduce((a, r, i) => {
        const lp = logSoftmax(r);
        const lq = logSoftmax(other[i] ?? []);
        const kl = (x: number[], y: number[]): number => x.reduce((s, v, k) => s + Math.exp(v) * (v - (y[k] ?? 0)), 0);
        return a + 0.5 * (kl(lp, lq) + kl(lq, lp));
      }, 0) / logits.length;
    const v = func('sym_kl').apply([tf.tensor2d(logits), tf.tensor2d(other)], {}).dataSync()[0];
    expect(v).toBeCloseTo(ref, 5);
    expect(func('sym_kl').apply([tf.tensor2d(logits), tf.tensor2d(logits)], {}).dataSync()[0]).toBeCloseTo(0, 6);
  });
  it('refuses tensors of different shapes', () => {
    expect(leftMessage(func('sym_kl').infer([['B', 3], ['B', 4]], {}))).toContain('same shape');
  });
});
