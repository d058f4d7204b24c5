import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectAllClose, expectGradMatches } from '../helpers/finite-diff.js';
import { expectNoLeak, func, leftMessage, right, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

const scalar = (name: string, xs: () => readonly tf.Tensor[], o = {}): number =>
  tf.tidy(() => func(name).apply(xs(), o).dataSync()[0] ?? Number.NaN);

// Three examples, three classes; labels 0, 2, 1.
const logits = [
  [2, 1, 0],
  [0.5, 0.5, 3],
  [1, -1, 0.2],
];
const labels = [0, 2, 1];
const L = (): tf.Tensor => tf.tensor(logits);
const Y = (): tf.Tensor => tf.tensor(labels, [3], 'int32');

const logSoftmax = (row: readonly number[]): number[] => {
  const m = Math.max(...row);
  const z = Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - m - z);
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const marginOf = (row: readonly number[], y: number): number =>
  (row[y] ?? 0) - Math.max(...row.filter((_, j) => j !== y));

describe('losses against hand computations', () => {
  it('mse, also for a [B, 1] regression head against [B] labels', () => {
    const expected = mean([0.5 ** 2, 1, 2 ** 2]);
    expectAllClose([scalar('mse', () => [tf.tensor([1.5, 0, 3]), tf.tensor([1, 1, 1])])], [expected]);
    expectAllClose([scalar('mse', () => [tf.tensor([[1.5], [0], [3]]), tf.tensor([1, 1, 1])])], [expected]);
    expect(right(func('mse').infer([['B', 1], ['B']], {}))).toEqual([]);
    expect(leftMessage(func('mse').infer([['B', 3], ['B']], {}))).toContain('shaped like the labels');
  });
  it('cross_entropy with and without label smoothing, and with soft labels', () => {
    const ls = logits.map(logSoftmax);
    const plain = -mean(ls.map((r, i) => r[labels[i] ?? 0] ?? 0));
    expectAllClose([scalar('cross_entropy', () => [L(), Y()])], [plain], 1e-5);
    const s = 0.1;
    const smooth = -mean(ls.map((r, i) => r.reduce((a, v, j) => a + v * ((j === labels[i] ? 1 - s : 0) + s / 3), 0)));
    expectAllClose([scalar('cross_entropy', () => [L(), Y()], { smoothing: s })], [smooth], 1e-5);
    const q = [
      [0.5, 0.5, 0],
      [0, 0, 1],
      [0.2, 0.3, 0.5],
    ];
    const soft = -mean(ls.map((r, i) => r.reduce((a, v, j) => a + v * (q[i]?.[j] ?? 0), 0)));
    expectAllClose([scalar('cross_entropy', () => [L(), tf.tensor(q)])], [soft], 1e-5);
    expect(leftMessage(func('cross_entropy').infer([['B', 3], ['B']], { smoothing: 2 }))).toContain('[0, 1]');
  });
  it('cross_entropy is stable for huge logits', () => {
    expectAllClose([scalar('cross_entropy', () => [tf.tensor([[1000, 0]]), tf.tensor([1], [1], 'int32')])], [1000], 1e-5);
  });
  it('nll of probabilities, clamped away from log 0', () => {
    const p = [
      [0.7, 0.2, 0.1],
      [0.1, 0.1, 0.8],
      [0.3, 0, 0.7],
    ];
    const expected = -mean([Math.log(0.7), Math.log(0.8), Math.log(1e-12)]);
    expectAllClose([scalar('nll', () => [tf.tensor(p), Y()])], [expected], 1e-4);
  });
  it('margin, inverse_margin and confidence_penalty', () => {
    const ms = logits.map((r, i) => marginOf(r, labels[i] ?? 0));
    expectAllClose([scalar('margin', () => [L(), Y()])], [mean(ms)], 1e-5);
    const eps = 1e-3;
    const inv = mean(ms.map((m) => 1 / (Math.log1p(Math.exp(m)) + eps)));
    expectAllClose([scalar('inverse_margin', () => [L(), Y()])], [inv], 1e-5);
    expectAllClose([scalar('inverse_margin', () => [L(), Y()], { eps: 0.5 })], [mean(ms.map((m) => 1 / (Math.log1p(Math.exp(m)) + 0.5)))], 1e-5);
    const negEntropy = mean(logits.map(logSoftmax).map((r) => r.reduce((a, v) => a + Math.exp(v) * v, 0)));
    expectAllClose([scalar('confidence_penalty', () => [L()])], [negEntropy], 1e-5);
  });
  it('shape errors name the shapes', () => {
    expect(leftMessage(func('cross_entropy').infer([['B', 10], ['B', 3]], {}))).toBe(
      'cross_entropy expects labels of shape [B] or [B, 10] for scores [B, 10], got [B, 3]',
    );
    expect(leftMessage(func('margin').infer([['B'], ['B']], {}))).toContain('expects scores of shape [B, classes]');
    expect(right(func('nll').infer([['B', 10], ['B']], {}))).toEqual([]);
  });
});

describe('loss gradients against finite differences', () => {
  const x = Float64Array.from(values(4 * 5, 17), (v) => 2 * v);
  const y = (): tf.Tensor => tf.tensor([1, 4, 0, 2], [4], 'int32');
  it('cross_entropy (with smoothing)', () => {
    expectGradMatches([4, 5], (t) => func('cross_entropy').apply([t, y()], { smoothing: 0.2 }), x);
  });
  it('cross_entropy without smoothing, and against soft labels (gradients of the logits and of the labels)', () => {
    expectGradMatches([4, 5], (t) => func('cross_entropy').apply([t, y()], {}), x);
    const q = Float64Array.from(values(4 * 5, 5), (v) => Math.abs(v) + 0.1);
    const soft = (): tf.Tensor => tf.tidy(() => tf.div(tf.tensor(Array.from(q), [4, 5]), tf.sum(tf.tensor(Array.from(q), [4, 5]), -1, true)));
    expectGradMatches([4, 5], (t) => func('cross_entropy').apply([t, soft()], {}), x);
    // The labels' gradient, −log softmax(z) / B: targets that are themselves trained get it.
    const z = (): tf.Tensor => tf.tensor(Array.from(x), [4, 5]);
    expectGradMatches([4, 5], (t) => func('cross_entropy').apply([z(), t], {}), q);
    expectGradMatches([4, 5], (t) => func('cross_entropy').apply([z(), t], { smoothing: 0.3 }), q);
  });
  it('cross_entropy has the gradient of its formula written out in primitive operations', () => {
    const z = tf.tensor(Array.from(x), [4, 5]);
    for (const smoothing of [0, 0.2]) {
      const q = tf.add(tf.mul(tf.oneHot(y(), 5), 1 - smoothing), smoothing / 5);
      const ours = tf.grad((t: tf.Tensor) => func('cross_entropy').apply([t, y()], { smoothing }))(z).dataSync();
      const tape = tf.grad((t: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(q, tf.sub(tf.sub(t, tf.max(t, -1, true)), tf.log(tf.sum(tf.exp(tf.sub(t, tf.max(t, -1, true))), -1, true)))), -1))))(z).dataSync();
      expectAllClose(ours, tape, 1e-5, 1e-7);
    }
  });
  it('nll of softmax probabilities', () => {
    expectGradMatches([4, 5], (t) => func('nll').apply([tf.softmax(t), y()], {}), x);
  });
  it('inverse_margin', () => {
    expectGradMatches([4, 5], (t) => func('inverse_margin').apply([t, y()], {}), x);
  });
  it('confidence_penalty and mse', () => {
    expectGradMatches([4, 5], (t) => func('confidence_penalty').apply([t], {}), x);
    expectGradMatches([4], (t) => func('mse').apply([t, tf.tensor([1, 0, -1, 2])], {}), x.subarray(0, 4));
  });
});

describe('metrics', () => {
  it('accuracy counts arg-max hits', () => {
    // Predictions 0, 2, 0 against labels 0, 2, 1.
    expectAllClose([scalar('accuracy', () => [L(), Y()])], [2 / 3]);
  });
  it('calibration_error matches a hand-computed ECE', () => {
    // Top probabilities 0.9, 0.8, 0.55, 0.6, 0.95 with bins of width 0.25 (bins: 4):
    //   (0.5, 0.75]: 0.55 (wrong), 0.6 (right)       → |1/2 − 0.575| · 2/5
    //   (0.75, 1]:   0.9 (right), 0.8 (wrong), 0.95 (right) → |2/3 − 0.8833…| · 3/5
    const probs = [
      [0.9, 0.1],
      [0.2, 0.8],
      [0.55, 0.45],
      [0.4, 0.6],
      [0.05, 0.95],
    ];
    const y = [0, 0, 1, 1, 1];
    const expected = (2 / 5) * Math.abs(1 / 2 - (0.55 + 0.6) / 2) + (3 / 5) * Math.abs(2 / 3 - (0.9 + 0.8 + 0.95) / 3);
    const got = scalar('calibration_error', () => [tf.tensor(probs), tf.tensor(y, [5], 'int32')], { bins: 4 });
    expectAllClose([got], [expected], 1e-5, 1e-6);
    // One bin: ECE = |accuracy − mean confidence|.
    const one = scalar('calibration_error', () => [tf.tensor(probs), tf.tensor(y, [5], 'int32')], { bins: 1 });
    expectAllClose([one], [Math.abs(3 / 5 - (0.9 + 0.8 + 0.55 + 0.6 + 0.95) / 5)], 1e-5, 1e-6);
    expect(leftMessage(func('calibration_error').infer([['B', 2], ['B']], { bins: 0 }))).toContain("'bins'");
  });
  it('a confidence on a bin edge belongs to the lower bin', () => {
    // 0.5 lies in (0.25, 0.5] with bins: 4, so the two examples do not share a bin.
    const got = scalar('calibration_error', () => [tf.tensor([[0.5, 0.5], [0.7, 0.3]]), tf.tensor([1, 0], [2], 'int32')], { bins: 4 });
    expectAllClose([got], [(1 / 2) * 0.5 + (1 / 2) * 0.3], 1e-5, 1e-6);
  });
});

describe('no tensor leaks', () => {
  it.each(['mse', 'cross_entropy', 'nll', 'margin', 'inverse_margin', 'accuracy', 'calibration_error'])('%s', (name) => {
    const probs = tf.softmax(L());
    const y = Y();
    const pred = tf.tensor([0.5, 1, 2]);
    const yf = tf.cast(y, 'float32');
    expectNoLeak(() => func(name).apply(name === 'mse' ? [pred, yf] : [probs, y], {}));
    tf.dispose([probs, y, pred, yf]);
  });
});
