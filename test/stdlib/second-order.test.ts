/**
 * Second derivatives through the operations whose TensorFlow.js gradients read their saved output
 * (exp, tanh, sigmoid, softmax, log softmax): checked against closed forms, and a Hessian-vector
 * product of the cross-entropy against central differences of its gradient in float64-accumulated
 * steps. Without xreg's gradients these dropped terms silently (d²(eˣ + x²) came out 2).
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../stdlib/tf.js';
import { logSoftmaxLast } from '../../stdlib/grad-registry.js';
import { lookup, standardLibrary } from '../../stdlib/registry.js';

const d2 = (f: (x: tf.Tensor) => tf.Tensor, at: number): number =>
  tf.tidy(() => (tf.grad((v: tf.Tensor) => tf.grad(f)(v)) as (x: tf.Tensor) => tf.Tensor)(tf.scalar(at)).dataSync()[0] as number);

describe('second derivatives are whole', () => {
  const sig = (x: number): number => 1 / (1 + Math.exp(-x));
  const cases: [string, (x: tf.Tensor) => tf.Tensor, (x: number) => number][] = [
    ['exp', (x) => tf.exp(x), (x) => Math.exp(x)],
    ['tanh', (x) => tf.tanh(x), (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)],
    ['sigmoid', (x) => tf.sigmoid(x), (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x))],
    // softmax and log softmax of [x, 0, 1], first component
    ['softmax', (x) => tf.softmax(tf.stack([x, tf.scalar(0), tf.scalar(1)])).slice([0], [1]).sum(), (x) => {
      const p = Math.exp(x) / (Math.exp(x) + 1 + Math.E);
      return p * (1 - p) * (1 - 2 * p);
    }],
    ['log softmax', (x) => logSoftmaxLast(tf, tf.stack([x, tf.scalar(0), tf.scalar(1)])).slice([0], [1]).sum(), (x) => {
      const p = Math.exp(x) / (Math.exp(x) + 1 + Math.E);
      return -p * (1 - p);
    }],
  ];
  for (const [name, f, exact] of cases)
    for (const at of [-0.7, 0.3, 1.2])
      it(`${name} at ${at} (alone and beside x², whose term must not be the only one left)`, () => {
        expect(d2(f, at)).toBeCloseTo(exact(at), 4);
        expect(d2((x) => tf.add(f(x), tf.square(x)), at)).toBeCloseTo(exact(at) + 2, 4);
      });

  it('log softmax has the forward values of tf.logSoftmax', () => {
    const x = tf.tensor2d([[0.3, -1.2, 2.5, 0], [10, 10.5, -3, 1]]);
    const ours = logSoftmaxLast(tf, x).dataSync();
    const theirs = tf.logSoftmax(x).dataSync();
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(theirs[i] as number, 6);
  });

  const labelCases: [string, () => tf.Tensor, number][] = [
    ['class indices', () => tf.tensor1d([2, 0, 1], 'int32'), 0],
    ['class indices with smoothing', () => tf.tensor1d([2, 0, 1], 'int32'), 0.2],
    ['soft labels', () => tf.tensor2d([[0.1, 0.2, 0.7], [0.5, 0.5, 0], [0.3, 0.3, 0.4]]), 0],
  ];
  for (const [labels, y, smoothing] of labelCases)
  it(`a Hessian-vector product of cross_entropy equals central differences of its gradient (${labels})`, () => {
    const ce = lookup(standardLibrary, 'cross_entropy');
    if (ce?.kind !== 'fn') throw new Error('no cross_entropy');
    const loss = (w: tf.Tensor): tf.Tensor => {
      const x = tf.tensor2d([[0.5, -1], [1.5, 0.2], [-0.3, 0.8]]);
      return ce.apply([tf.matMul(x, tf.reshape(w, [2, 3])), y()], { smoothing });
    };
    const w0 = tf.tensor1d([0.1, -0.4, 0.7, 0.2, 0.5, -0.6]);
    const v = tf.tensor1d([0.3, -0.2, 0.5, 0.1, -0.4, 0.25]);
    const hv = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.grad(loss)(w), v)))(w0).arraySync() as number[];
    const h = 1e-2;
    const gp = tf.grad(loss)(tf.add(w0, tf.mul(v, h))).arraySync() as number[];
    const gm = tf.grad(loss)(tf.sub(w0, tf.mul(v, h))).arraySync() as number[];
    const fd = gp.map((g, i) => (g - (gm[i] as number)) / (2 * h));
    const scale = Math.max(...fd.map(Math.abs));
    expect(scale).toBeGreaterThan(0.01);
    for (let i = 0; i < fd.length; i++) expect(Math.abs((hv[i] as number) - (fd[i] as number))).toBeLessThan(2e-3 * scale + 1e-4);
  });
});
