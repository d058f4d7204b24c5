/**
 * `layer_norm(affine: true, eps: 1e-5)`: each example normalized over all its axes together.
 * gamma and beta have the full per-example shape (as PyTorch's LayerNorm over that shape).
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef } from '../types.js';
import { boolArg, must, numArg } from '../functions/args.js';
import { product, showShape } from '../functions/shapes.js';
import { need, param } from './params.js';

const specs: readonly ArgSpec[] = [
  { name: 'affine', type: 'bool', default: true, doc: 'learn a scale gamma and shift beta' },
  { name: 'eps', type: 'number', default: 1e-5 },
];

const read = (a: ConstArgs): E.Either<string, { readonly affine: boolean; readonly eps: number }> => {
  const affine = boolArg('layer_norm', a, specs, 'affine');
  if (E.isLeft(affine)) return affine;
  const eps = numArg('layer_norm', a, specs, 'eps');
  if (E.isLeft(eps)) return eps;
  if (eps.right < 0) return E.left(`layer_norm: eps must not be negative, got ${eps.right}`);
  return E.right({ affine: affine.right, eps: eps.right });
};

export const layerNorm: LayerDef = {
  kind: 'layer',
  name: 'layer_norm',
  args: specs,
  stochastic: false,
  infer: (inShape, a) => {
    const r = read(a);
    if (E.isLeft(r)) return r;
    if (product(inShape) < 2)
      return E.left(`layer_norm needs at least 2 values per example to normalize, got ${showShape(inShape)}`);
    const params = r.right.affine
      ? [param('gamma', inShape, { kind: 'ones' }, 'scale'), param('beta', inShape, { kind: 'zeros' }, 'shift')]
      : [];
    return E.right({ params, outShape: inShape });
  },
  apply: (p, x, a) =>
    tf.tidy(() => {
      const { affine, eps } = must(read(a));
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
      const { mean, variance } = tf.moments(x, axes, true);
      const h = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
      return affine ? tf.add(tf.mul(h, need(p, 'gamma', 'layer_norm')), need(p, 'beta', 'layer_norm')) : h;
    }),
};
