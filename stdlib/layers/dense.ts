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

export const dense: LayerDef = {
  kind: 'layer',
  name: 'dense',
  args: specs,
  stochastic: false,
  infer: (inShape, a) =>
    E.map(({ units, bias }: { readonly units: number; readonly bias: boolean }) => {
      // A scalar per example (a regression feature) is a vector of length 1.
      const fanIn = product(inShape);
      const params: ParamSpec[] = [param('w', [fanIn, units], { kind: 'glorot', fanIn, fanOut: units }, 'weight')];
      if (bias) params.push(param('b', [units], { kind: 'zeros' }, 'bias'));
      return { params, outShape: [units] };
    })(read(a)),
  apply: (p, x, a) =>
    tf.tidy(() => {
      const { bias } = must(read(a));
      const batch = x.shape[0] ?? 1;
      const h = tf.matMul(tf.reshape(x, [batch, -1]), need(p, 'w', 'dense'));
      return bias ? tf.add(h, need(p, 'b', 'dense')) : h;
    }),
};

