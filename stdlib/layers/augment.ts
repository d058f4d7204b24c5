/**
 * Learned augmentation (paper §6.7): per example u ~ U[−1, 1] and amount α·u, so the output is
 * differentiable in the magnitude α. Images are [H, W] or [H, W, C]; pixels outside become 0.
 *   translate: α in pixels, independent shifts along both axes;
 *   rotate:    α in degrees, about the image centre;
 *   shear:     α as the horizontal shear factor x' = x + s·(y − centre).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, LayerDef } from '../types.js';
import { numArg } from '../functions/args.js';
import { showShape } from '../functions/shapes.js';
import { need, param } from './params.js';
import { bilinearSample, pixelGrid } from './resample.js';

interface Grid {
  readonly rows: tf.Tensor;
  readonly cols: tf.Tensor;
  readonly cy: number;
  readonly cx: number;
}

/** Source coordinates from the grid and per-example amounts `a` ([B, k, 1, 1]: k draws each). */
type Warp = (g: Grid, amount: (k: number) => tf.Tensor) => { readonly sx: tf.Tensor; readonly sy: tf.Tensor };

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
        const u = tf.randomUniform([b, draws, 1, 1], -1, 1, 'float32', ctx.nextSeed());
        const alphaU = tf.mul(need(p, 'magnitude', name), u);
        const amount = (k: number): tf.Tensor => tf.reshape(tf.slice(alphaU, [0, k, 0, 0], [-1, 1, -1, -1]), [b, 1, 1]);
        const { rows, cols } = pixelGrid(h, w);
        const { sx, sy } = warp({ rows, cols, cy: (h - 1) / 2, cx: (w - 1) / 2 }, amount);
        const out = bilinearSample(tf.reshape(x, [b, h, w, c]) as tf.Tensor4D, sx, sy);
        return tf.reshape(out, x.shape);
      }),
  };
};

/** Output pixel (i, j) reads input (i − dy, j − dx): the image moves by (dx, dy). */
export const translate = augmentLayer('translate', 1, 2, (g, amount) => ({
  sx: tf.sub(g.cols, amount(0)),
  sy: tf.sub(g.rows, amount(1)),
}));

/** Inverse rotation of each output pixel about the centre gives its source. */
export const rotate = augmentLayer('rotate', 5, 1, (g, amount) => {
  const theta = tf.mul(amount(0), Math.PI / 180);
  const cos = tf.cos(theta);
  const sin = tf.sin(theta);
  const xr = tf.sub(g.cols, g.cx);
  const yr = tf.sub(g.rows, g.cy);
  return {
    sx: tf.add(tf.add(tf.mul(cos, xr), tf.mul(sin, yr)), g.cx),
    sy: tf.add(tf.sub(tf.mul(cos, yr), tf.mul(sin, xr)), g.cy),
  };
});

export const shear = augmentLayer('shear', 0.1, 1, (g, amount) => ({
  sx: tf.add(g.cols, tf.mul(amount(0), tf.sub(g.rows, g.cy))),
  sy: g.rows,
}));
