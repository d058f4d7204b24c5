/** `flatten` and `reshape(shape: [..])` (one entry may be −1: inferred from the size). */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef } from '../types.js';
import { intListArg, must } from '../functions/args.js';
import { product, showShape } from '../functions/shapes.js';

export const flatten: LayerDef = {
  kind: 'layer',
  name: 'flatten',
  args: [],
  stochastic: false,
  infer: (inShape) => E.right({ params: [], outShape: [product(inShape)] }),
  apply: (_p, x) => tf.tidy(() => tf.reshape(x, [x.shape[0] ?? 1, -1])),
};

const specs: readonly ArgSpec[] = [{ name: 'shape', type: 'list', doc: 'per-example shape; one entry may be -1' }];

const target = (inShape: readonly number[], a: ConstArgs): E.Either<string, readonly number[]> => {
  const s = intListArg('reshape', a, specs, 'shape', undefined, -1);
  if (E.isLeft(s)) return s;
  const dims = s.right;
  const size = product(inShape);
  const free = dims.filter((d) => d === -1).length;
  const known = product(dims.filter((d) => d !== -1));
  const bad = E.left(`reshape cannot make ${showShape(dims)} from ${showShape(inShape)} (${size} values)`);
  if (free > 1 || dims.some((d) => d === 0)) return bad;
  if (free === 1) return size % known === 0 ? E.right(dims.map((d) => (d === -1 ? size / known : d))) : bad;
  return known === size ? E.right(dims) : bad;
};

export const reshape: LayerDef = {
  kind: 'layer',
  name: 'reshape',
  args: specs,
  stochastic: false,
  infer: (inShape, a) => E.map((outShape: readonly number[]) => ({ params: [], outShape }))(target(inShape, a)),
  apply: (_p, x, a) =>
    tf.tidy(() => tf.reshape(x, [x.shape[0] ?? 1, ...must(target(x.shape.slice(1), a))])),
};
