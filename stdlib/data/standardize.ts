/**
 * `|> standardize`: every feature of x (each position of the per-example shape) to zero mean and
 * unit variance over the data set; y centred when it is a float target, unchanged for classes.
 * A constant feature carries no information and would divide by zero: it is set to 0.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, DataError, Dataset, Field, Schema, TransformDef } from '../types.js';
import { decodeArgs } from './args.js';
import * as t from 'io-ts';
import { dataError } from './errors.js';
import { exampleSize } from './dataset.js';

const args: readonly ArgSpec[] = [];
const Args = t.type({});

/** Per-column mean and population standard deviation of an example-major [n, k] array. */
export const columnMoments = (data: ArrayLike<number>, n: number, k: number): { mean: Float64Array; std: Float64Array } => {
  const mean = new Float64Array(k);
  const m2 = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) mean[j] = (mean[j] as number) + (data[i * k + j] as number);
  for (let j = 0; j < k; j++) mean[j] = (mean[j] as number) / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const d = (data[i * k + j] as number) - (mean[j] as number);
      m2[j] = (m2[j] as number) + d * d;
    }
  }
  return { mean, std: m2.map((s) => Math.sqrt(s / n)) };
};

const standardizeField = (f: Field, n: number, scale: boolean): Field => {
  const k = exampleSize(f.shape);
  const { mean, std } = columnMoments(f.data, n, k);
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const s = std[j] as number;
      const centred = (f.data[i * k + j] as number) - (mean[j] as number);
      // The mean of identical values can differ from them by rounding, leaving a tiny spread.
      const constant = s === 0 || s <= 1e-10 * Math.abs(mean[j] as number);
      out[i * k + j] = scale ? (constant ? 0 : centred / s) : centred;
    }
  }
  return { ...f, data: out };
};

const apply = (input: Dataset, a: ConstArgs): E.Either<DataError, Dataset> => {
  const v = decodeArgs('standardize', args, Args, a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  const x = input.fields['x'];
  if (x === undefined) return E.left(dataError('standardize: the data set has no field x'));
  if (x.dtype !== 'float32') return E.left(dataError('standardize: x holds integers; only float features can be standardized'));
  if (input.size === 0) return E.left(dataError('standardize: the data set is empty'));
  const fields: Record<string, Field> = { ...input.fields, x: standardizeField(x, input.size, true) };
  const y = input.fields['y'];
  if (y !== undefined && y.dtype === 'float32') fields['y'] = standardizeField(y, input.size, false);
  return E.right({ size: input.size, fields });
};

const schema = (input: Schema, a: ConstArgs): E.Either<string, Schema> => {
  const v = decodeArgs('standardize', args, Args, a);
  if (E.isLeft(v)) return v;
  const x = input['x'];
  if (x === undefined) return E.left('standardize needs a field x');
  if (x.dtype !== 'float32') return E.left('standardize needs float features x');
  return E.right(input);
};

export const standardize: TransformDef = { kind: 'transform', name: 'standardize', args, schema, apply };
