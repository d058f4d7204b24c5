/**
 * Our own SIMD product on wasm (runtime/backend/wasm-kernels/own-mat-mul.ts, outer-gemm.ts): which
 * shapes it takes; on those, the wasm result equals its float32 JavaScript twin bit for bit and the
 * cpu backend (an independent implementation) to rounding, for plain, transposed-A and
 * transposed-B products; it runs (observed), and frees the transposed copy it makes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemmF32, gemmPlan, MAX_B, type GemmPlan } from '../../runtime/backend/wasm-kernels/outer-gemm.js';
import { registerWasmKernels } from '../../runtime/backend/wasm-kernels/index.js';
import { rowChunks } from '../../runtime/backend/wasm-kernels/own-mat-mul.js';
import { activateWasm, onBackend, randomTensor, randomValues, relativeError, rememberBackend, wasmBackend } from './helpers.js';

const restoreBackend = rememberBackend();
const used: GemmPlan[] = [];
beforeAll(async () => {
  await activateWasm();
  registerWasmKernels({ onOwnProduct: (p) => void used.push(p) });
});
afterAll(async () => {
  registerWasmKernels();
  await restoreBackend();
});

describe('our own product: plans', () => {
  it('takes unbatched float32 products with M a multiple of 4, each operand transposed or not', () => {
    expect(gemmPlan([128, 256], [256, 10], false, false)).toMatchObject({ M: 128, K: 256, N: 10 }); // columns by 8, 4, then 1
    expect(gemmPlan([128, 784], [784, 256], false, false)).toMatchObject({ M: 128, K: 784, N: 256, sm: 784, sk: 1, transposeB: false, outShape: [128, 256] });
    expect(gemmPlan([128, 784], [128, 256], true, false)).toMatchObject({ M: 784, K: 128, N: 256, sm: 1, sk: 784, transposeB: false });
    expect(gemmPlan([128, 256], [784, 256], false, true)).toMatchObject({ M: 128, K: 256, N: 784, transposeB: true });
    expect(gemmPlan([1, 8, 3], [3, 16], false, false)?.outShape).toEqual([1, 8, 16]);
  });

  it('leaves the rest to the library', () => {
    expect(gemmPlan([6, 4], [4, 8], false, false)).toBeUndefined(); // M = 6
    expect(gemmPlan([2, 8, 4], [2, 4, 8], false, false)).toBeUndefined(); // a batch
    expect(gemmPlan([8, 4], [5, 8], false, false)).toBeUndefined(); // K differs
    expect(gemmPlan([8, 2 * MAX_B / 8], [2 * MAX_B / 8, 8], false, false)).toBeUndefined(); // B beyond the cache bound
    expect(gemmPlan([0, 4], [4, 8], false, false)).toBeUndefined();
  });
});

describe('our own product: rows cut into chunks for the threads', () => {
  /** Rows [start, start + count) of each chunk, read back from the job's arguments. */
  const rowsOfChunks = (M: number, threads: number): [number, number][] => {
    const plan = gemmPlan([M, 16], [16, 8], false, false);
    if (plan === undefined) throw new Error('no plan');
    const job = rowChunks(plan, 1000, 0, 0, threads);
    return Array.from({ length: job.chunks }, (_, k) => {
      const a = job.base.map((b, i) => b + k * (job.step[i] ?? 0));
      const count = job.count === undefined ? a[4] : Math.max(0, Math.min(job.count.step, job.count.total - k * job.count.step));
      // Row start from C's offset (argument 2, N = 8 floats a row), checked against A's (argument 0, 16 floats a row).
      expect(((a[0] ?? 0) - 1000) / (16 * 4)).toBe((a[2] ?? 0) / (8 * 4));
      return [(a[2] ?? 0) / (8 * 4), count ?? 0];
    });
  };
  it('covers every row once, in whole 4-row tiles, about 8 chunks per thread', () => {
    expect(rowsOfChunks(128, 2)).toEqual(Array.from({ length: 16 }, (_, k) => [8 * k, 8]));
    expect(rowsOfChunks(12, 2)).toEqual([[0, 4], [4, 4], [8, 4]]);
    for (const [m, t] of [[784, 2], [784, 3], [256, 4], [8, 8], [1000, 7], [132, 2], [4, 2]] as const) {
      const chunks = rowsOfChunks(m, t);
      expect(chunks.length).toBeLessThanOrEqual(8 * t);
      let next = 0;
      for (const [start, count] of chunks) {
        expect(start).toBe(next);
        expect(start % 4).toBe(0);
        expect(count).toBeGreaterThan(0);
        next = start + count;
      }
      expect(next).toBe(m);
    }
  });
});

describe('our own product on wasm', () => {
  const cases: Array<[number, number, number, boolean, boolean]> = [
    [4, 1, 8, false, false],
    [8, 13, 16, false, false],
    [12, 37, 24, true, false],
    [128, 33, 40, false, true],
    [16, 7, 8, true, true],
    // Columns left after the 8-column blocks: 4, 4 + 2, 3, 1.
    [8, 9, 12, false, false],
    [12, 5, 14, true, false],
    [4, 6, 3, false, true],
    [8, 3, 1, true, false],
    [128, 256, 10, false, false],
  ];
  for (const [m, k, n, ta, tb] of cases) {
    it(`${m}x${k}·${k}x${n}, transposeA=${ta}, transposeB=${tb}: equals its twin bit for bit and cpu to rounding`, async () => {
      const aShape = ta ? [k, m] : [m, k];
      const bShape = tb ? [n, k] : [k, n];
      const before = used.length;
      const [wasm] = await onBackend('wasm', () => tf.matMul(randomTensor(aShape, 3), randomTensor(bShape, 4), ta, tb));
      expect(used.length).toBe(before + 1);
      const [cpu] = await onBackend('cpu', () => tf.matMul(randomTensor(aShape, 3), randomTensor(bShape, 4), ta, tb));
      expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-5);
      // The twin: B as K×N rows, op(A) through strides.
      const a = randomValues(m * k, 3);
      const b0 = randomValues(n * k, 4);
      const b = tb ? Float32Array.from({ length: k * n }, (_, i) => b0[(i % n) * k + Math.floor(i / n)] as number) : b0;
      const twin = new Float32Array(m * n);
      gemmF32(a, b, twin, k, m, n, ta ? 1 : k, ta ? m : 1);
      expect(Array.from(wasm!.values)).toEqual(Array.from(twin));
    });
  }

  it('keeps the library path for shapes outside its plan, with the right answer', async () => {
    const before = used.length;
    const [wasm] = await onBackend('wasm', () => tf.matMul(randomTensor([6, 5], 5), randomTensor([5, 10], 6)));
    expect(used.length).toBe(before);
    const [cpu] = await onBackend('cpu', () => tf.matMul(randomTensor([6, 5], 5), randomTensor([5, 10], 6)));
    expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-5);
  });

  it('frees the transposed copy of B it makes', async () => {
    await tf.setBackend('wasm');
    const [a, b] = [randomTensor([8, 5], 7), randomTensor([16, 5], 8)];
    const ids = wasmBackend().numDataIds();
    const c = tf.matMul(a, b, false, true);
    expect(wasmBackend().numDataIds()).toBe(ids + 1);
    tf.dispose([a, b, c]);
  });
});
