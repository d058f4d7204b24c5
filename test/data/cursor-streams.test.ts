/**
 * Batch streams after the issue-10 changes: each stream keeps its own cached epoch order, so
 * interleaving streams (a cross-phase rule's train and reg batches) draws exactly what each stream
 * alone would; and the gather builds the same batch as copying example by example, for short
 * examples (value by value) and long ones (block copies).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { advance, epochOrder, makeBatch, startCursor, type Cursor } from '../../runtime/data/index.js';
import type { Dataset } from '../../stdlib/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const drawAll = (streams: readonly { n: number; seed: number; batch: number }[], steps: number, interleave: boolean): number[][][] => {
  const out: number[][][] = streams.map(() => []);
  const cursors: Cursor[] = streams.map(() => startCursor);
  const one = (s: number): void => {
    const st = streams[s]!;
    const a = advance(cursors[s]!, st.batch, st.n, st.seed);
    cursors[s] = a.cursor;
    out[s]!.push(Array.from(a.indices));
  };
  if (interleave) for (let i = 0; i < steps; i++) streams.forEach((_, s) => one(s));
  else streams.forEach((_, s) => Array.from({ length: steps }, () => one(s)));
  return out;
};

describe('batch streams', () => {
  it('20 interleaved streams draw what each draws alone, epoch after epoch', () => {
    const streams = Array.from({ length: 20 }, (_, i) => ({ n: 50 + i, seed: 1000 + i, batch: 7 }));
    const alone = drawAll(streams, 40, false);
    expect(drawAll(streams, 40, true)).toEqual(alone);
    // Each epoch of a stream is its seeded order, cut in batches.
    const s0 = alone[0]!.slice(0, 8).flat();
    expect(s0).toEqual(Array.from(epochOrder(50, 1000, 0)));
  });

  it('gathers the same batch as an example-by-example copy, short and long examples, float and int', () => {
    for (const k of [3, 100]) {
      const n = 40;
      const x = Float32Array.from({ length: n * k }, (_, i) => i * 0.5);
      const y = Int32Array.from({ length: n }, (_, i) => i * 3);
      const ds = { size: n, fields: { x: { shape: [k], dtype: 'float32', data: x }, y: { shape: [], dtype: 'int32', data: y } } } as unknown as Dataset;
      const idx = [5, 0, 39, 5, 17];
      const b = makeBatch(ds, idx);
      expect(b['x']!.shape).toEqual([5, k]);
      expect(Array.from(b['x']!.dataSync())).toEqual(idx.flatMap((i) => Array.from(x.slice(i * k, (i + 1) * k))));
      expect(Array.from(b['y']!.dataSync())).toEqual(idx.map((i) => i * 3));
      expect(b['y']!.dtype).toBe('int32');
      for (const t of Object.values(b)) t.dispose();
    }
  });
});
