/**
 * The gradients of sum and mean that xreg registers (stdlib/grad-registry.ts: the ones made by the
 * backend's fill kernel instead of an uploaded JavaScript array): the values of TensorFlow.js's own
 * formula (dy reshaped to x's rank, times ones(x.shape), over the reduced size for mean), written
 * out here with tf.ones, to the bit on cpu and on wasm; no ArrayBuffer the size of x made on wasm;
 * and a Hessian-vector product through a mean against its closed form.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf as xtf } from '../../stdlib/tf.js';
import { activateWasm, randomTensor, rememberBackend } from '../backend/helpers.js';

const restoreBackend = rememberBackend();
beforeAll(async () => {
  void xtf.getBackend(); // loads TensorFlow.js the way xreg does, registering xreg's gradients
  await activateWasm();
});
afterAll(restoreBackend);

/** TensorFlow.js's formula for the gradient of a reduction over `axes` of x (Sum_grad.ts, Mean_grad.ts). */
const reference = (x: tf.Tensor, dy: tf.Tensor, axes: number[], mean: boolean): tf.Tensor => {
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const spread = tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, 'float32'));
  return mean ? tf.div(spread, axes.reduce((n, a) => n * (x.shape[a] ?? 1), 1)) : spread;
};

const cases: { shape: number[]; axis: number | number[] | undefined; keepDims: boolean }[] = [
  { shape: [6, 5], axis: -1, keepDims: false },
  { shape: [6, 5], axis: 0, keepDims: true },
  { shape: [4, 3, 5], axis: [0, 2], keepDims: false },
  { shape: [4, 3, 5], axis: undefined, keepDims: false },
  { shape: [7], axis: 0, keepDims: true },
];

describe('sum and mean gradients', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    for (const mean of [false, true])
      for (const [k, c] of cases.entries())
        it(`${mean ? 'mean' : 'sum'} over ${JSON.stringify(c.axis)} of [${c.shape.join(', ')}] on ${backend}: TensorFlow.js's values to the bit`, async () => {
          await tf.setBackend(backend);
          const x = randomTensor(c.shape, 10 + k);
          const reduce = (v: tf.Tensor): tf.Tensor => (mean ? tf.mean(v, c.axis, c.keepDims) : tf.sum(v, c.axis, c.keepDims));
          const outShape = reduce(x).shape;
          const dy = randomTensor(outShape, 20 + k);
          const [ours] = tf.grads((v: tf.Tensor) => reduce(v))([x], dy);
          const axes = c.axis === undefined ? c.shape.map((_, i) => i) : tf.util.parseAxisParam(c.axis, c.shape);
          const theirs = reference(x, dy, axes, mean);
          expect(ours?.shape).toEqual(x.shape);
          expect(Array.from(ours?.dataSync() ?? [])).toEqual(Array.from(theirs.dataSync()));
          tf.dispose([x, dy, theirs, ...(ours === undefined ? [] : [ours])]);
        });

  it('makes no JavaScript array the size of x on wasm', async () => {
    await tf.setBackend('wasm');
    const x = randomTensor([512, 256], 3);
    const f = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.mean(v, -1))));
    tf.dispose(f(x)); // warm: kernels and their scratch
    const before = process.memoryUsage().arrayBuffers;
    const g = f(x);
    // The ones of TensorFlow.js's own gradient were a 512 KB Float32Array made and uploaded each time.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(x.size * 4);
    tf.dispose([x, g]);
  });

  it('second order: a Hessian-vector product through mean over rows has its closed form', async () => {
    await tf.setBackend('cpu');
    // f(x) = Σ_i (mean_j x_ij)², so ∂f/∂x_ij = 2 m_i / n and (H v)_ij = 2 / n² Σ_k v_ik.
    const [rows, n] = [3, 4];
    const x = randomTensor([rows, n], 5);
    const v = randomTensor([rows, n], 6);
    const f = (w: tf.Tensor): tf.Tensor => tf.sum(tf.square(tf.mean(w, 1)));
    const hv = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(w), v)))(x).arraySync() as number[][];
    const vs = v.arraySync() as number[][];
    for (let i = 0; i < rows; i++) {
      const rowSum = (vs[i] ?? []).reduce((a, b) => a + b, 0);
      for (let j = 0; j < n; j++) expect(hv[i]?.[j]).toBeCloseTo((2 / (n * n)) * rowSum, 6);
    }
    tf.dispose([x, v]);
  });
});
