import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitDataset, splitSizes } from '../../runtime/data/split.js';
import type { Dataset } from '../../stdlib/types.js';
import { field, left, right } from './helpers.js';

/** A data set whose y is each example's own index, so splits can be traced back. */
const indexed = (n: number): Dataset => ({
  size: n,
  fields: {
    x: { dtype: 'float32', shape: [2], data: Float32Array.from({ length: 2 * n }, (_, i) => Math.floor(i / 2) * (i % 2 === 0 ? 1 : -1)) },
    y: { dtype: 'int32', shape: [], data: Int32Array.from({ length: n }, (_, i) => i) },
  },
});

const ids = (ds: Dataset | undefined): number[] => (ds === undefined ? [] : Array.from(field(ds, 'y').data));

describe('splitDataset', () => {
  const three = [
    { name: 'train', fraction: 1 / 3 },
    { name: 'reg', fraction: 1 / 3 },
    { name: 'test', fraction: 1 / 3 },
  ];

  it('cuts disjoint splits that cover everything when fractions sum to 1', () => {
    const s = right(splitDataset(indexed(100), three, 0));
    const all = [...ids(s['train']), ...ids(s['reg']), ...ids(s['test'])];
    expect(all.length).toBe(100);
    expect(new Set(all).size).toBe(100);
    expect([s['train']?.size, s['reg']?.size, s['test']?.size]).toEqual([34, 33, 33]);
    // Examples move whole: x still belongs to its y.
    const train = s['train'] as Dataset;
    ids(train).forEach((id, k) => {
      expect(field(train, 'x').data[2 * k]).toBe(id);
      expect(field(train, 'x').data[2 * k + 1]).toBe(-id);
    });
  });

  it('is reproducible by seed and differs for another seed', () => {
    const a = right(splitDataset(indexed(60), three, 7));
    const b = right(splitDataset(indexed(60), three, 7));
    const c = right(splitDataset(indexed(60), three, 8));
    expect(ids(b['train'])).toEqual(ids(a['train']));
    expect(ids(c['train'])).not.toEqual(ids(a['train']));
  });

  it('leaves the remainder unused when fractions sum below 1', () => {
    const s = right(splitDataset(indexed(10), [{ name: 'a', fraction: 0.25 }, { name: 'b', fraction: 0.25 }], 1));
    expect([s['a']?.size, s['b']?.size]).toEqual([3, 2]);
    expect(new Set([...ids(s['a']), ...ids(s['b'])]).size).toBe(5);
  });

  it('sizes by floor, the rounding remainder to the first split', () => {
    expect(splitSizes(10, [{ name: 'a', fraction: 0.5 }, { name: 'b', fraction: 0.3 }, { name: 'c', fraction: 0.2 }])).toEqual([5, 3, 2]);
    expect(splitSizes(442, [{ name: 'train', fraction: 0.8 }, { name: 'reg', fraction: 0.2 }])).toEqual([354, 88]);
  });

  it('refuses a fraction at or below 0, a sum above 1, and an empty split', () => {
    expect(left(splitDataset(indexed(10), [{ name: 'a', fraction: 0 }], 0)).message).toBe("split 'a' has fraction 0; every fraction must be above 0");
    expect(left(splitDataset(indexed(10), [{ name: 'a', fraction: -0.5 }], 0)).message).toMatch(/split 'a' has fraction -0.5/);
    expect(left(splitDataset(indexed(10), [{ name: 'a', fraction: 0.7 }, { name: 'b', fraction: 0.5 }], 0)).message).toBe(
      'the split fractions sum to 1.2, more than 1 (a: 0.7, b: 0.5)',
    );
    expect(left(splitDataset(indexed(10), [{ name: 'a', fraction: 0.95 }, { name: 'b', fraction: 0.05 }], 0)).message).toMatch(/split 'b' .* would be empty/);
  });

  it('is disjoint and sized floor(total·n) for any fractions (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 100, max: 400 }),
        fc.integer(),
        (n, weights, denom, seed) => {
          const total = Math.max(denom, weights.reduce((a, b) => a + b, 0));
          const fractions = weights.map((w, i) => ({ name: `s${i}`, fraction: w / total }));
          const sizes = splitSizes(n, fractions);
          if (sizes.some((k) => k === 0)) return;
          const s = right(splitDataset(indexed(n), fractions, seed));
          const all = fractions.flatMap((f) => ids(s[f.name]));
          expect(new Set(all).size).toBe(all.length);
          expect(all.length).toBe(Math.floor(fractions.reduce((a, f) => a + f.fraction, 0) * n + 1e-9));
        },
      ),
      { numRuns: 200 },
    );
  });
});
