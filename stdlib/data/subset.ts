/** `|> subset(n, seed)`: n examples drawn without replacement, kept in their original order. */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, DataError, Dataset, Schema, TransformDef } from '../types.js';
import { decodeArgs, PosInt, Seed } from './args.js';
import { dataError } from './errors.js';
import { takeExamples } from './dataset.js';
import { makeRng, permutation } from './random.js';

const args: readonly ArgSpec[] = [
  { name: 'n', type: 'int', default: 1000, doc: 'examples to keep' },
  { name: 'seed', type: 'int', default: 0 },
];
const Args = t.type({ n: PosInt, seed: Seed });

/** The sorted indices of `n` of `size` examples chosen by `seed`. */
export const subsetIndices = (size: number, n: number, seed: number): Int32Array =>
  permutation(size, makeRng(seed)).subarray(0, n).sort();

const apply = (input: Dataset, a: ConstArgs): E.Either<DataError, Dataset> => {
  const v = decodeArgs('subset', args, Args, a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  if (v.right.n > input.size) {
    return E.left(dataError(`subset(n: ${v.right.n}) asks for more examples than the data set has (${input.size})`));
  }
  return E.right(takeExamples(input, subsetIndices(input.size, v.right.n, v.right.seed)));
};

const schema = (input: Schema, a: ConstArgs): E.Either<string, Schema> =>
  E.map(() => input)(decodeArgs('subset', args, Args, a));

export const subset: TransformDef = { kind: 'transform', name: 'subset', args, schema, apply };
