/**
 * The second backend the runtime may pick: layers and their gradients on wasm (with the runtime's
 * extra kernels) must agree with cpu, and the augmentation sampler (one JavaScript pass over values read
 * from the wasm heap, with its own gradient) must free cleanly there.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerWasmKernels } from '../../runtime/backend/wasm-kernels/index.js';
import { expectAllClose, seededCtx } from '../helpers/finite-diff.js';
import { func, layer, cpuForThisFile, values } from './helpers/setup.js';

const x = values(2 * 6 * 5 * 2, 4);

/** Value and gradients (in the magnitude, log σ and conv weights) of a small augmented network. */
const probe = (): Float32Array[] => {
  const mag = tf.scalar(1.4);
  const ls = tf.scalar(-1.2);
  const w = tf.tensor(Float32Array.from(values(3 * 3 * 2 * 3, 5)), [3, 3, 2, 3]);
  const b = tf.zeros([3]);
  const input = tf.tensor(Float32Array.from(x), [2, 6, 5, 2]);
  const dw = tf.tensor(Float32Array.from(values(6 * 5 * 3 * 4, 6)), [6 * 5 * 3, 4]);
  const loss = (m: tf.Tensor, s: tf.Tensor, wt: tf.Tensor): tf.Scalar => {
    const ctx = seededCtx(9);
    const h1 = layer('rotate').apply({ magnitude: m }, input, {}, ctx);
    const h2 = layer('translate').apply({ magnitude: m }, h1, {}, ctx);
    const h3 = layer('conv2d').apply({ w: wt, b }, h2, { filters: 3, kernel: 3 }, ctx);
    const h4 = layer('layer_norm').apply({}, h3, { affine: false }, ctx);
    const h5 = layer('mult_noise').apply({ log_sigma: s }, h4, {}, ctx);
    const logits = layer('dense').apply({ w: dw, b: tf.zeros([4]) }, h5, { units: 4 }, ctx);
    return func('cross_entropy').apply([logits, tf.tensor([1, 3], [2], 'int32')], { smoothing: 0.1 }) as tf.Scalar;
  };
  const before = tf.memory().numTensors;
  const { value, grads } = tf.tidy(() => {
    const g = tf.valueAndGrads(loss)([mag, ls, w]);
    return { value: g.value, grads: g.grads };
  });
  const out = [value, ...grads].map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([value, ...grads]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([mag, ls, w, b, input, dw]);
  return out;
};

describe('layers on wasm agree with cpu', () => {
  cpuForThisFile();
  it('value and gradients of an augmented conv network', async () => {
    const cpu = probe();
    // Every gradient is informative (none vanishes), so agreement is not trivial.
    for (const g of cpu.slice(1)) expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-6);
    expect(await tf.setBackend('wasm')).toBe(true);
    registerWasmKernels();
    const wasm = probe();
    await tf.setBackend('cpu');
    expect(wasm.length).toBe(cpu.length);
    cpu.forEach((c, i) => expectAllClose(wasm[i] ?? [], c, 1e-3, 1e-4));
  });
});
