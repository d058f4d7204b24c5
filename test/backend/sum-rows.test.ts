/**
 * Sum over leading axes on wasm by our SIMD function (runtime/backend/wasm-kernels/sum-rows.ts):
 * which sums it takes, and against the cpu backend (an independent implementation) to rounding and
 * against a float32 loop written here (rows added in order) bit for bit, for wide and narrow
 * column counts, keepDims both ways; other sums keep the library's kernel and agree with cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadingSum } from '../../runtime/backend/wasm-kernels/sum-rows.js';
import { activateWasm, onBackend, randomTensor, randomValues, relativeError, rememberBackend } from './helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

describe('sum over leading axes', () => {
  it('takes leading axes over columns by 4, nothing else', () => {
    expect(leadingSum([128, 256], [0])).toEqual({ rows: 128, cols: 256 });
    expect(leadingSum([128, 28, 28, 32], [0, 1, 2])).toEqual({ rows: 128 * 28 * 28, cols: 32 });
    expect(leadingSum([128, 28, 28, 32], [2, 1, 0])).toEqual({ rows: 128 * 28 * 28, cols: 32 });
    expect(leadingSum([128, 10], [0])).toBeUndefined(); // 10 columns
    expect(leadingSum([8, 4], [1])).toBeUndefined(); // a trailing axis
    expect(leadingSum([8, 4, 4], [0, 2])).toBeUndefined();
    expect(leadingSum([8, 4], [0, 1])).toBeUndefined(); // everything
  });

  for (const [shape, axes, keepDims] of [
    [[7, 260], [0], false],
    [[3, 5, 6, 32], [0, 1, 2], false],
    [[9, 4], [0], true],
    [[2, 3, 36], [0, 1], true],
  ] as const) {
    it(`[${shape}] over ${JSON.stringify(axes)}, keepDims ${keepDims}: equal to rows added in order, and to cpu`, async () => {
      const f = (): tf.Tensor => tf.sum(randomTensor([...shape], 4), [...axes], keepDims);
      const [wasm] = await onBackend('wasm', f);
      const [cpu] = await onBackend('cpu', f);
      expect(wasm?.shape).toEqual(cpu?.shape);
      expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-6);
      const x = randomValues(shape.reduce((a, b) => a * b, 1), 4);
      const cols = shape.slice(axes.length).reduce((a, b) => a * b, 1);
      const rows = x.length / cols;
      const loop = Array.from({ length: cols }, (_, c) => {
        let acc = 0;
        for (let r = 0; r < rows; r++) acc = Math.fround(acc + (x[r * cols + c] as number));
        return acc;
      });
      expect(Array.from(wasm!.values)).toEqual(loop);
    });
  }

  it('other sums keep the library kernel and agree with cpu', async () => {
    for (const [shape, axes] of [[[6, 10], [0]], [[6, 8], [1]], [[4, 4, 4], [0, 2]]] as const) {
      const f = (): tf.Tensor => tf.sum(randomTensor([...shape], 5), [...axes]);
      const [wasm] = await onBackend('wasm', f);
      const [cpu] = await onBackend('cpu', f);
      expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-6);
    }
  });
});
