/** `dense(units, bias: true)`: the per-example input is flattened to a vector, then x·w + b. */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef, ParamSpec } from '../types.js';
import { boolArg, intArg, must } from '../functions/args.js';
import { product } from '../functions/shapes.js';
import { need, param } from './params.js';

const specs: readonly ArgSpec[] = [
  { name: 'units', type: 'int', doc: 'output width' },
  { name: 'bias', type: 'bool', default: true },
];

const read = (a: ConstArgs): E.Either<string, { readonly units: number; readonly bias: boolean }> => {
  const units = intArg('dense', a, specs, 'units');
  if (E.isLeft(units)) return units;
  const bias = boolArg('dense', a, specs, 'bias');
  if (E.isLeft(bias)) return bias;
  return E.right({ units: units.right, bias: bias.right });
};

/** A dense layer's parameters and output for an input of this shape (shared with spectral_dense). */
export const denseShapes = (inShape: readonly number[], units: number, bias: boolean): { params: ParamSpec[]; outShape: number[] } => {
  // A scalar per example (a regression feature) is a vector of length 1.
  const fanIn = product(inShape);
  const params: ParamSpec[] = [param('w', [fanIn, units], { kind: 'glorot', fanIn, fanOut: units }, 'weight')];
  if (bias) params.push(param('b', [units], { kind: 'zeros' }, 'bias'));
  return { params, outShape: [units] };
};

/** x·W (+ b) on a batch flattened to [B, fan-in], W as given (spectral_dense passes W/σ). */
export const denseApply = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | undefined): tf.Tensor => {
  // A batch already [B, fan-in] is used as it is: a reshape to its own shape would still be an
  // operation on the tape (a saved copy forward, another reshape backward).
  const h = tf.matMul(x.rank === 2 ? x : tf.reshape(x, [x.shape[0] ?? 1, -1]), w);
  return b !== undefined ? tf.add(h, b) : h;
};

export const dense: LayerDef = {
  kind: 'layer',
  name: 'dense',
  args: specs,
  stochastic: false,
  infer: (inShape, a) => E.map(({ units, bias }: { readonly units: number; readonly bias: boolean }) => denseShapes(inShape, units, bias))(read(a)),
  apply: (p, x, a) =>
    tf.tidy(() => denseApply(x, need(p, 'w', 'dense'), must(read(a)).bias ? need(p, 'b', 'dense') : undefined)),
};

