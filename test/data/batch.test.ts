import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { batchIndices, batchesPerEpoch, epochOrder, makeBatch } from '../../runtime/data/batch.js';
import { advance, startCursor, type Cursor } from '../../runtime/data/cursor.js';
import { growthSize, growthView } from '../../runtime/data/growth.js';
import type { Dataset } from '../../stdlib/types.js';
import { field } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sorted = (xs: Iterable<number>): number[] => [...xs].sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('epochOrder and batchIndices', () => {
  it('is a permutation, reproducible per (seed, epoch) and different otherwise', () => {
    const a = epochOrder(50, 3, 0);
    expect(sorted(a)).toEqual(range(50));
    expect(Array.from(epochOrder(50, 3, 0))).toEqual(Array.from(a));
    expect(Array.from(epochOrder(50, 3, 1))).not.toEqual(Array.from(a));
    expect(Array.from(epochOrder(50, 4, 0))).not.toEqual(Array.from(a));
  });

  it('splits an epoch into batches that visit every index once, the last one short', () => {
    const order = epochOrder(23, 1, 2);
    const k = batchesPerEpoch(23, 5);
    expect(k).toBe(5);
    const batches = range(k).map((i) => Array.from(batchIndices(order, 5, i)));
    expect(batches.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    expect(batches.flat()).toEqual(Array.from(order));
    expect(batchIndices(order, 5, 5).length).toBe(0);
  });
});

describe('makeBatch', () => {
  const ds: Dataset = {
    size: 4,
    fields: {
      x: { dtype: 'float32', shape: [2, 3], data: Float32Array.from(range(24), (v) => v / 2) },
      y: { dtype: 'int32', shape: [], data: Int32Array.from([5, 6, 7, 8]) },
    },
  };

  it('gathers the examples into tensors [b, ...shape] of the field dtypes', () => {
    const b = makeBatch(ds, [3, 0]);
    expect(b['x']?.shape).toEqual([2, 2, 3]);
    expect(b['x']?.dtype).toBe('float32');
    expect(b['y']?.dtype).toBe('int32');
    expect(Array.from(b['x']?.dataSync() ?? [])).toEqual([...range(6).map((v) => (18 + v) / 2), ...range(6).map((v) => v / 2)]);
    expect(Array.from(b['y']?.dataSync() ?? [])).toEqual([8, 5]);
    for (const t of Object.values(b)) t.dispose();
  });
});

describe('cursor', () => {
  /** Runs `steps` batches from `from`, returning the batches and the final cursor. */
  const run = (from: Cursor, steps: number, bs: number, n: number, seed: number): { batches: { epoch: number; idx: number[] }[]; cursor: Cursor } => {
    let cursor = from;
    const batches: { epoch: number; idx: number[] }[] = [];
    for (let s = 0; s < steps; s++) {
      const a = advance(cursor, bs, n, seed);
      batches.push({ epoch: a.epoch, idx: Array.from(a.indices) });
      cursor = a.cursor;
    }
    return { batches, cursor };
  };

  it('covers every index once per epoch, in that epoch\'s order', () => {
    const { batches } = run(startCursor, 12, 4, 10, 9);
    for (const epoch of [0, 1, 2, 3]) {
      const seen = batches.filter((b) => b.epoch === epoch).flatMap((b) => b.idx);
      expect(seen).toEqual(Array.from(epochOrder(10, 9, epoch)));
    }
    expect(batches.map((b) => b.idx.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2, 4, 4, 2]);
  });

  it('resumes from a checkpointed cursor exactly where an uninterrupted run goes', () => {
    const whole = run(startCursor, 9, 3, 7, 5);
    const first = run(startCursor, 4, 3, 7, 5);
    const saved = JSON.parse(JSON.stringify(first.cursor)) as Cursor;
    const rest = run(saved, 5, 3, 7, 5);
    expect([...first.batches, ...rest.batches]).toEqual(whole.batches);
    expect(rest.cursor).toEqual(whole.cursor);
  });

  it('starts a new epoch when the split shrank below the position', () => {
    const a = advance({ epoch: 2, position: 8 }, 4, 5, 1);
    expect(a.epoch).toBe(3);
    expect(Array.from(a.indices)).toEqual(Array.from(epochOrder(5, 1, 3)).slice(0, 4));
  });
});

describe('growthView', () => {
  const ds: Dataset = { size: 10, fields: { y: { dtype: 'int32', shape: [], data: Int32Array.from(range(10)) } } };

  it('shows the first ⌈from·n⌉ examples before untilEpoch and all from then on', () => {
    const g = { from: 0.25, untilEpoch: 3 };
    for (const epoch of [0, 1, 2]) {
      const v = growthView(ds, g, epoch);
      expect(v.size).toBe(3);
      expect(Array.from(field(v, 'y').data)).toEqual([0, 1, 2]);
    }
    expect(growthView(ds, g, 3).size).toBe(10);
    expect(growthView(ds, g, 50).size).toBe(10);
    expect(growthSize(10, { from: 0.2, untilEpoch: 1 }, 0)).toBe(2);
    expect(growthSize(3, { from: 0.01, untilEpoch: 1 }, 0)).toBe(1);
    expect(growthSize(442, { from: 0.2, untilEpoch: 1 }, 0)).toBe(Math.ceil(0.2 * 442));
  });
});
