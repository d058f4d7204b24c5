/** Pure helpers on `Dataset`s (plain example-major typed arrays). */
import type { Dataset, Field } from '../types.js';

/** Number of scalars in one example of a field. */
export const exampleSize = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const emptyLike = (f: Field, n: number): Float32Array | Int32Array =>
  f.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);

/** A new data set made of the examples at `indices` (in that order), copied. */
export const takeExamples = (ds: Dataset, indices: ArrayLike<number>): Dataset => {
  const fields: Record<string, Field> = {};
  for (const [name, f] of Object.entries(ds.fields)) {
    const k = exampleSize(f.shape);
    const data = emptyLike(f, indices.length * k);
    for (let i = 0; i < indices.length; i++) {
      const src = (indices[i] as number) * k;
      data.set(f.data.subarray(src, src + k), i * k);
    }
    fields[name] = { ...f, data };
  }
  return { size: indices.length, fields };
};

/** Examples `start .. end-1` as views on the same memory (no copy). */
export const sliceExamples = (ds: Dataset, start: number, end: number): Dataset => {
  const fields: Record<string, Field> = {};
  for (const [name, f] of Object.entries(ds.fields)) {
    const k = exampleSize(f.shape);
    fields[name] = { ...f, data: f.data.subarray(start * k, end * k) };
  }
  return { size: end - start, fields };
};

/** The number of classes of integer labels: one more than the largest label. */
export const countClasses = (labels: Int32Array): number => {
  let max = -1;
  for (const v of labels) if (v > max) max = v;
  return max + 1;
};
