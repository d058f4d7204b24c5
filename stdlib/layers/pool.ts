/**
 * Pooling with window = stride = `size` and no padding. A rank-1 input [L] or rank-2 input [L, C]
 * pools along L (the output of conv1d); a rank-3 input [H, W, C] pools along H and W (conv2d).
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef } from '../types.js';
import { intArg, must } from '../functions/args.js';
import { showShape } from '../functions/shapes.js';

const specs: readonly ArgSpec[] = [{ name: 'size', type: 'int', default: 2, doc: 'window and stride' }];
const sizeOf = (name: string, a: ConstArgs): E.Either<string, number> => intArg(name, a, specs, 'size');

const pool = (name: 'max_pool' | 'avg_pool'): LayerDef => ({
  kind: 'layer',
  name,
  args: specs,
  stochastic: false,
  infer: (inShape, a) => {
    const size = sizeOf(name, a);
    if (E.isLeft(size)) return size;
    if (inShape.length < 1 || inShape.length > 3)
      return E.left(`${name} expects a per-example input [L], [L, C] or [H, W, C], got ${showShape(inShape)}`);
    const spatial = inShape.length === 3 ? 2 : 1;
    const out = inShape.map((d, i) => (i < spatial ? Math.floor(d / size.right) : d));
    if (out.slice(0, spatial).some((d) => d < 1))
      return E.left(`${name}: window ${size.right} is larger than the input ${showShape(inShape)}`);
    return E.right({ params: [], outShape: out });
  },
  apply: (_p, x, a) =>
    tf.tidy(() => {
      const size = must(sizeOf(name, a));
      const batch = x.shape[0] ?? 1;
      const f = name === 'max_pool' ? tf.maxPool : tf.avgPool;
      if (x.rank === 4) return f(x as tf.Tensor4D, size, size, 'valid');
      // Along one axis: pool a [B, 1, L, C] image with a 1 × size window.
      const len = x.shape[1] ?? 1;
      const channels = x.rank === 3 ? (x.shape[2] ?? 1) : 1;
      const y = f(tf.reshape(x, [batch, 1, len, channels]) as tf.Tensor4D, [1, size], [1, size], 'valid');
      const outLen = y.shape[2] ?? 1;
      return tf.reshape(y, x.rank === 3 ? [batch, outLen, channels] : [batch, outLen]);
    }),
});

export const maxPool = pool('max_pool');
export const avgPool = pool('avg_pool');

/** Mean over every per-example axis but the last (channels): [..., C] → [C]. */
export const globalAvgPool: LayerDef = {
  kind: 'layer',
  name: 'global_avg_pool',
  args: [],
  stochastic: false,
  infer: (inShape) =>
    inShape.length >= 2
      ? E.right({ params: [], outShape: [inShape[inShape.length - 1] ?? 1] })
      : E.left(`global_avg_pool expects a per-example input [L, C] or [H, W, C], got ${showShape(inShape)}`),
  apply: (_p, x) =>
    tf.tidy(() => tf.mean(x, Array.from({ length: x.rank - 2 }, (_, i) => i + 1))),
};
