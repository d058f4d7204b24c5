/**
 * Our max-pool gradient on wasm (runtime/backend/wasm-kernels/max-pool-grad.ts) against the cpu
 * backend, which is an independent implementation, and against a loop written here: the same
 * values exactly where each is a copy of dy or 0 (ties: the first maximum in window order takes it;
 * NaN and -Infinity windows; inputs no window covers), to rounding where overlapping windows add.
 * tfjs-backend-wasm 4.22's own kernel fails the same comparison (kept here as the reason ours
 * replaces it everywhere).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxPoolGradWasm, ownPoolGradFits } from '../../runtime/backend/wasm-kernels/max-pool-grad.js';
import { floatsOf, kernelsOn, offsetOf, type WasmHeapBackend } from '../../stdlib/wasm/heap.js';
import { registerWasmKernels } from '../../runtime/backend/wasm-kernels/index.js';
import { activateWasm, onBackend, randomTensor, relativeError, rememberBackend } from './helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

const gradOf = (x: () => tf.Tensor4D, size: number, stride: number, pad: 'valid' | 'same') => (): tf.Tensor =>
  tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, size, stride, pad), randomTensor(tf.maxPool(t as tf.Tensor4D, size, stride, pad).shape, 9))))(x());

const same = async (f: () => tf.Tensor, exact = true): Promise<void> => {
  const [cpu] = await onBackend('cpu', f);
  const [wasm] = await onBackend('wasm', f);
  expect(wasm?.shape).toEqual(cpu?.shape);
  if (exact) expect(Array.from(wasm!.values)).toEqual(Array.from(cpu!.values));
  else expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-6);
  expect(cpu!.values.some((v) => v !== 0)).toBe(true);
};

const info = (shape: [number, number, number, number], size: number, stride: number, pad: 'valid' | 'same') => tf.backend_util.computePool2DInfo(shape, size, stride, 1, pad);

/** Our function called directly on the heap, against tfjs-backend-cpu's maxPoolGrad of the same pool. */
const direct = async (shape: [number, number, number, number], size: number, x: () => tf.Tensor4D): Promise<void> => {
  const i = info(shape, size, size, 'valid');
  const [cpu] = await onBackend("cpu", () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, size, size, "valid"), randomTensor([i.batchSize, i.outHeight, i.outWidth, i.outChannels], 9))))(x()));
  await tf.setBackend('wasm');
  const b = tf.backend() as unknown as WasmHeapBackend & { disposeData: (id: object) => void };
  const f = kernelsOn(b, 'max_pool_grad', () => [maxPoolGradWasm()])?.['max_pool_grad'] as ((...a: number[]) => void) | undefined;
  expect(f).toBeTypeOf('function');
  const [xt, dy] = [x(), randomTensor([i.batchSize, i.outHeight, i.outWidth, i.outChannels], 9)];
  const dx = b.makeOutput(shape, 'float32');
  f?.(offsetOf(b, xt), offsetOf(b, dy), offsetOf(b, dx), i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.outHeight, i.outWidth, i.filterHeight, i.filterWidth);
  expect(Array.from(floatsOf(b, dx))).toEqual(Array.from(cpu!.values));
  tf.dispose([xt, dy]);
  b.disposeData(dx.dataId);
};

describe('max-pool gradient on wasm', () => {
  it('takes non-overlapping, unpadded pools over channels by 4, and leaves the rest', () => {
    expect(ownPoolGradFits(info([1, 28, 28, 32], 2, 2, 'valid'))).toBe(true);
    expect(ownPoolGradFits(info([1, 9, 7, 4], 3, 3, 'valid'))).toBe(true);
    expect(ownPoolGradFits(info([1, 6, 6, 4], 3, 2, 'valid'))).toBe(false);
    expect(ownPoolGradFits(info([1, 5, 5, 4], 2, 2, 'same'))).toBe(false);
    expect(ownPoolGradFits(info([1, 6, 6, 3], 2, 2, 'valid'))).toBe(false);
  });

  it('our function itself equals cpu value for value, ties, NaN and -Infinity windows and uncovered inputs included', async () => {
    await direct([3, 8, 8, 8], 2, () => randomTensor([3, 8, 8, 8], 1) as tf.Tensor4D);
    await direct([2, 9, 7, 4], 3, () => randomTensor([2, 9, 7, 4], 2) as tf.Tensor4D);
    await direct([2, 4, 4, 4], 2, () => {
      const v = Float32Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => Math.floor(i / 8) % 3);
      v.fill(NaN, 0, 8);
      v.fill(-Infinity, 40, 48);
      return tf.tensor4d(v, [2, 4, 4, 4]);
    });
  });

  it('non-overlapping windows, as max_pool(size: k) makes them: equal to cpu value for value', async () => {
    await same(gradOf(() => randomTensor([3, 8, 8, 8], 1) as tf.Tensor4D, 2, 2, 'valid'));
    await same(gradOf(() => randomTensor([2, 9, 7, 4], 2) as tf.Tensor4D, 3, 3, 'valid')); // rows and columns no window covers
  });

  it('ties go to the first maximum; a window of NaN or -Infinity passes nothing back', async () => {
    const x = (): tf.Tensor4D => {
      const v = Float32Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => Math.floor(i / 8) % 3);
      v.fill(NaN, 0, 8);
      v.fill(-Infinity, 40, 48);
      return tf.tensor4d(v, [2, 4, 4, 4]);
    };
    await same(gradOf(x, 2, 2, 'valid'));
  });

  it("tfjs-backend-wasm's own kernel is wrong on a plain 2×2 pool (why ours replaces it)", async () => {
    const shape: [number, number, number, number] = [2, 8, 8, 4];
    const i = info(shape, 2, 2, 'valid');
    const [cpu] = await onBackend('cpu', gradOf(() => randomTensor(shape, 6) as tf.Tensor4D, 2, 2, 'valid'));
    registerWasmKernels({ ownPoolGrad: false });
    try {
      const [library] = await onBackend('wasm', gradOf(() => randomTensor(shape, 6) as tf.Tensor4D, 2, 2, 'valid'));
      expect(i.outHeight).toBe(4);
      expect(relativeError(library!, cpu!)).toBeGreaterThan(0.1);
    } finally {
      registerWasmKernels();
    }
  });

  it('every other pool by our loop, equal to cpu to rounding (overlapping windows add)', async () => {
    await same(gradOf(() => randomTensor([2, 6, 6, 4], 3) as tf.Tensor4D, 3, 2, 'valid'), false); // overlapping
    await same(gradOf(() => randomTensor([2, 5, 5, 4], 4) as tf.Tensor4D, 2, 2, 'same'), false); // padded
    await same(gradOf(() => randomTensor([2, 6, 6, 3], 5) as tf.Tensor4D, 2, 2, 'valid'), false); // 3 channels
  });
});
