import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateWasm, onBackend, onBoth, randomTensor, randomValues, relativeError, rememberBackend, wasmBackend } from './helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

function ids(count: number, lo: number, hi: number, seed: number): number[] {
  return Array.from(randomValues(count, seed), (u) => lo + Math.floor(((u + 1) / 2) * (hi - lo)));
}

describe('wasm UnsortedSegmentSum (ours) agrees with cpu', () => {
  const cases: Array<{ name: string; x: number[]; segments: number; lo: number; hi: number; dtype: 'float32' | 'int32' }> = [
    { name: 'rows of a matrix, repeated ids', x: [40, 6], segments: 7, lo: 0, hi: 7, dtype: 'float32' },
    { name: 'a vector', x: [25], segments: 4, lo: 0, hi: 4, dtype: 'float32' },
    { name: 'rank-3 rows', x: [12, 3, 2], segments: 20, lo: 0, hi: 20, dtype: 'float32' },
    { name: 'ids out of range are dropped', x: [30, 5], segments: 6, lo: -3, hi: 9, dtype: 'float32' },
    { name: 'int32 data', x: [18, 4], segments: 5, lo: 0, hi: 5, dtype: 'int32' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const segmentIds = ids(c.x[0]!, c.lo, c.hi, 9);
      const { wasm, cpu } = await onBoth(() => {
        const x = randomTensor(c.x, 8).mul(10);
        return tf.unsortedSegmentSum(c.dtype === 'int32' ? x.toInt() : x, tf.tensor1d(segmentIds, 'int32'), c.segments);
      });
      expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    });
  }

  it('every id out of range gives zeros', async () => {
    const [out] = await onBackend('wasm', () => tf.unsortedSegmentSum(randomTensor([4, 2], 1), tf.tensor1d([-1, 5, 9, -2], 'int32'), 3));
    expect(out!.shape).toEqual([3, 2]);
    expect(Array.from(out!.values)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('frees its intermediates', async () => {
    await onBackend('wasm', () => tf.scalar(0));
    const run = () => tf.tidy(() => tf.unsortedSegmentSum(randomTensor([10, 3], 1), tf.tensor1d([0, 1, 7, 1, 0, 2, 2, -1, 1, 0], 'int32'), 3)).dispose();
    run();
    const before = wasmBackend().numDataIds();
    run();
    expect(wasmBackend().numDataIds()).toBe(before);
  });
});
