/**
 * Identity on wasm shares its input's storage (runtime/backend/wasm-kernels/identity.ts): a clone
 * has the same storage and values, outlives its source, and the storage is freed with the last of
 * them; a gradient through saved tensors is unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateWasm, onBoth, randomTensor, relativeError, rememberBackend, wasmBackend } from './helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

describe('Identity on wasm', () => {
  it('a clone shares storage, outlives its source, and the storage goes with the last', async () => {
    await tf.setBackend('wasm');
    const before = wasmBackend().numDataIds();
    const x = randomTensor([64, 33], 1);
    const values = Array.from(x.dataSync());
    const c = tf.clone(x);
    expect(c.dataId).toBe(x.dataId);
    expect(wasmBackend().numDataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual(values);
    expect(wasmBackend().numDataIds()).toBe(before + 1);
    c.dispose();
    expect(wasmBackend().numDataIds()).toBe(before);
  });

  it('gradients through tensors saved for the backward pass agree with cpu', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const w = randomTensor([33, 16], 2);
      const x = randomTensor([8, 33], 3);
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.matMul(x, v)), tf.exp(tf.matMul(x, v)))))(w);
    });
    expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
  });
});
