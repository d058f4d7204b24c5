/**
 * Learned augmentation (paper §6.7): per example u ~ U[−1, 1] and amount α·u, so the output is
 * differentiable in the magnitude α. Images are [H, W] or [H, W, C]; pixels outside become 0.
 *   translate: α in pixels, independent shifts along both axes;
 *   rotate:    α in degrees, about the image centre;
 *   shear:     α as the horizontal shear factor x' = x + s·(y − centre).
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, LayerDef } from '../types.js';
import { numArg } from '../functions/args.js';
import { showShape } from '../functions/shapes.js';
import { need, param } from './params.js';
import { affineSample } from './resample.js';
import { tfSeed } from '../random/tf-seed.js';

/**
 * Each example's affine map [B, 2, 3] (see affineSample) from its amounts `alphaU` [B, k]: the
 * whole transform of a layer is one map, so each layer resamples once.
 */
type Warp = (alphaU: tf.Tensor2D, b: number) => tf.Tensor3D;

/** Rows [[a00, a01, a02], [a10, a11, a12]] per example from six [B] columns. */
const affine = (b: number, entries: readonly tf.Tensor[]): tf.Tensor3D => tf.reshape(tf.stack([...entries], 1), [b, 2, 3]);

const augmentLayer = (name: string, init: number, draws: number, warp: Warp): LayerDef => {
  const specs: readonly ArgSpec[] = [{ name: 'init', type: 'number', default: init, doc: 'initial magnitude α' }];
  return {
    kind: 'layer',
    name,
    args: specs,
    stochastic: true,
    infer: (inShape, a) => {
      if (inShape.length !== 2 && inShape.length !== 3)
        return E.left(`${name} expects a per-example image [H, W] or [H, W, C], got ${showShape(inShape)}`);
      return E.map((v: number) => ({
        params: [param('magnitude', [], { kind: 'constant', value: v }, 'magnitude')],
        outShape: inShape,
      }))(numArg(name, a, specs, 'init'));
    },
    apply: (p, x, _a, ctx) =>
      tf.tidy(() => {
        if (!ctx.stochastic) return tf.clone(x);
        const [b = 1, h = 1, w = 1] = x.shape;
        const c = x.rank === 4 ? (x.shape[3] ?? 1) : 1;
        // Drawn with the same shape as always, so a seed gives the same amounts as before.
        const u = tf.reshape(tf.randomUniform([b, draws, 1, 1], -1, 1, 'float32', tfSeed(ctx.nextSeed())), [b, draws]);
        const alphaU = tf.mul(need(p, 'magnitude', name), u) as tf.Tensor2D;
        const out = affineSample(tf.reshape(x, [b, h, w, c]) as tf.Tensor4D, warp(alphaU, b));
        return tf.reshape(out, x.shape);
      }),
  };
};

const column = (alphaU: tf.Tensor2D, k: number): tf.Tensor => tf.squeeze(tf.slice(alphaU, [0, k], [-1, 1]), [1]);

/** Output pixel (i, j) reads input (i − dy, j − dx): the image moves by (dx, dy). */
export const translate = augmentLayer('translate', 1, 2, (alphaU, b) => {
  const [one, zero] = [tf.ones([b]), tf.zeros([b])];
  return affine(b, [one, zero, tf.neg(column(alphaU, 0)), zero, one, tf.neg(column(alphaU, 1))]);
});

/** Inverse rotation of each output pixel about the centre gives its source. */
export const rotate = augmentLayer('rotate', 5, 1, (alphaU, b) => {
  const theta = tf.mul(column(alphaU, 0), Math.PI / 180);
  const [cos, sin, zero] = [tf.cos(theta), tf.sin(theta), tf.zeros([b])];
  return affine(b, [cos, sin, zero, tf.neg(sin), cos, zero]);
});

/** Horizontal shear about the centre row: x' = x + s·(y − centre). */
export const shear = augmentLayer('shear', 0.1, 1, (alphaU, b) => {
  const [one, zero] = [tf.ones([b]), tf.zeros([b])];
  return affine(b, [one, column(alphaU, 0), zero, zero, one, zero]);
});
