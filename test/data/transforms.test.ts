import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { standardize } from '../../stdlib/data/standardize.js';
import { subset } from '../../stdlib/data/subset.js';
import { correlatedFeatures } from '../../stdlib/data/correlated_features.js';
import type { Dataset } from '../../stdlib/types.js';
import { field, left, right } from './helpers.js';

/** Column j of an example-major [n, k] array. */
const column = (data: ArrayLike<number>, n: number, k: number, j: number): number[] =>
  Array.from({ length: n }, (_, i) => data[i * k + j] as number);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

const withConstant = (): Dataset => {
  const n = 50;
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 3] = i * i;
    x[i * 3 + 1] = 4.2; // constant
    x[i * 3 + 2] = Math.sin(i) * 1000 + 5000;
    y[i] = 3 * i + 100;
  }
  return { size: n, fields: { x: { dtype: 'float32', shape: [3], data: x }, y: { dtype: 'float32', shape: [], data: y } } };
};

describe('standardize', () => {
  it('gives every feature mean 0 and deviation 1; a constant column becomes 0', () => {
    const ds = withConstant();
    const out = right(standardize.apply(ds, {}));
    const x = field(out, 'x').data;
    for (const j of [0, 2]) {
      const col = column(x, ds.size, 3, j);
      expect(Math.abs(mean(col))).toBeLessThan(1e-5);
      expect(std(col)).toBeCloseTo(1, 5);
      // An affine map of the input column: correlation with it is exactly 1.
      const src = column(field(ds, 'x').data, ds.size, 3, j);
      const z = src.map((v) => (v - mean(src)) / std(src));
      col.forEach((v, i) => expect(v).toBeCloseTo(z[i] as number, 4));
    }
    expect(column(x, ds.size, 3, 1).every((v) => v === 0)).toBe(true);
  });

  it('centres a float target without scaling it', () => {
    const ds = withConstant();
    const y = Array.from(field(right(standardize.apply(ds, {})), 'y').data);
    expect(Math.abs(mean(y))).toBeLessThan(1e-4);
    expect(std(y)).toBeCloseTo(std(Array.from(field(ds, 'y').data)), 3);
  });

  it('leaves class labels as they are', () => {
    const ds: Dataset = {
      size: 3,
      fields: {
        x: { dtype: 'float32', shape: [1], data: Float32Array.from([1, 2, 3]) },
        y: { dtype: 'int32', shape: [], data: Int32Array.from([2, 0, 1]), classes: 3 },
      },
    };
    const out = right(standardize.apply(ds, {}));
    expect(field(out, 'y')).toEqual(field(ds, 'y'));
  });

  it('works per feature on correlated data', async () => {
    const ds = right(await correlatedFeatures.load({ base: 2, copies: 3, n: 400 }, '.'));
    const x = field(right(standardize.apply(ds, {})), 'x').data;
    for (let j = 0; j < 6; j++) {
      const col = column(x, 400, 6, j);
      expect(Math.abs(mean(col))).toBeLessThan(1e-5);
      expect(std(col)).toBeCloseTo(1, 5);
    }
  });

  it('refuses arguments and data without float x', () => {
    expect(E.isLeft(standardize.schema({ x: { dtype: 'float32', shape: [2] } }, { scale: 2 }))).toBe(true);
    expect(standardize.schema({ y: { dtype: 'float32', shape: [] } }, {})).toEqual(E.left('standardize needs a field x'));
  });
});

describe('subset', () => {
  const ds: Dataset = {
    size: 100,
    fields: {
      x: { dtype: 'float32', shape: [2], data: Float32Array.from({ length: 200 }, (_, i) => Math.floor(i / 2) + (i % 2) / 10) },
      y: { dtype: 'int32', shape: [], data: Int32Array.from({ length: 100 }, (_, i) => i) },
    },
  };

  it('keeps n distinct examples, whole, in their original order', () => {
    const out = right(subset.apply(ds, { n: 10, seed: 3 }));
    expect(out.size).toBe(10);
    const ids = Array.from(field(out, 'y').data);
    expect(new Set(ids).size).toBe(10);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    ids.forEach((id, k) => {
      expect(field(out, 'x').data[2 * k]).toBe(id);
      expect(field(out, 'x').data[2 * k + 1]).toBeCloseTo(id + 0.1, 5);
    });
  });

  it('is reproducible by seed and differs for another', () => {
    const a = Array.from(field(right(subset.apply(ds, { n: 10, seed: 3 })), 'y').data);
    expect(Array.from(field(right(subset.apply(ds, { n: 10, seed: 3 })), 'y').data)).toEqual(a);
    expect(Array.from(field(right(subset.apply(ds, { n: 10, seed: 4 })), 'y').data)).not.toEqual(a);
  });

  it('refuses more examples than there are', () => {
    expect(left(subset.apply(ds, { n: 101 })).message).toBe('subset(n: 101) asks for more examples than the data set has (100)');
    expect(left(subset.apply(ds, { n: 0 })).message).toMatch(/argument 'n' must be a positive integer, got 0/);
  });
});
