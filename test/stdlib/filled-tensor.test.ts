/**
 * stdlib/filled-tensor.ts: on wasm one buffer per dtype and length serves every tensor of that size
 * (the backend copies at creation), on cpu each tensor gets its own (the backend keeps the array);
 * either way every tensor holds what its fill wrote, after later fills of the same size too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filledTensor, KEPT_BUFFER_MAX_BYTES, keptBuffers } from '../../stdlib/filled-tensor.js';
import { activateWasm, rememberBackend } from '../backend/helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

const ramp = (from: number) => (v: Float32Array): void => {
  for (let i = 0; i < v.length; i++) v[i] = from + i;
};
const expected = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('filledTensor', () => {
  for (const backend of ['wasm', 'cpu'] as const)
    it(`on ${backend}: each tensor keeps its own values when later ones of its size are filled`, async () => {
      await tf.setBackend(backend);
      const shape = [3, 7] as const;
      const a = filledTensor(shape, 'float32', ramp(0));
      const b = filledTensor(shape, 'float32', ramp(100));
      const c = filledTensor([21], 'int32', (v) => v.fill(-4));
      expect(a.shape).toEqual([3, 7]);
      expect(c.dtype).toBe('int32');
      expect(Array.from(a.dataSync())).toEqual(expected(0, 21));
      expect(Array.from(b.dataSync())).toEqual(expected(100, 21));
      expect(Array.from(c.dataSync())).toEqual(Array(21).fill(-4));
      tf.dispose([a, b, c]);
    });

  it('keeps one buffer per dtype and length on wasm, none on cpu', async () => {
    await tf.setBackend('cpu');
    const before = keptBuffers();
    tf.dispose([filledTensor([5, 11], 'float32', ramp(0)), filledTensor([5, 11], 'float32', ramp(1))]);
    expect(keptBuffers()).toBe(before);
    await tf.setBackend('wasm');
    tf.dispose(filledTensor([5, 11], 'float32', ramp(0)));
    expect(keptBuffers()).toBe(before + 1);
    tf.dispose([filledTensor([55], 'float32', ramp(0)), filledTensor([11, 5], 'float32', ramp(2))]);
    expect(keptBuffers()).toBe(before + 1);
    tf.dispose(filledTensor([55], 'int32', (v) => v.fill(1)));
    expect(keptBuffers()).toBe(before + 2);
  });

  it('keeps no buffer above its limit', async () => {
    await tf.setBackend('wasm');
    const before = keptBuffers();
    const n = KEPT_BUFFER_MAX_BYTES / 4 + 1;
    const t = filledTensor([n], 'float32', (v) => v.fill(0.5));
    expect(t.size).toBe(n);
    expect(keptBuffers()).toBe(before);
    t.dispose();
  });

  it('a fill that makes a tensor of its own size gets a buffer of its own', async () => {
    await tf.setBackend('wasm');
    let inner: tf.Tensor | undefined;
    const outer = filledTensor([13], 'float32', (v) => {
      ramp(0)(v);
      inner = filledTensor([13], 'float32', ramp(50));
    });
    expect(Array.from(outer.dataSync())).toEqual(expected(0, 13));
    expect(Array.from(inner?.dataSync() ?? [])).toEqual(expected(50, 13));
    tf.dispose([outer, ...(inner === undefined ? [] : [inner])]);
  });
});
