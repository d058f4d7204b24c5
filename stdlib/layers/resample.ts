/**
 * Differentiable bilinear resampling: out[b, p] = img[b, sy, sx] interpolated between the four
 * surrounding pixels, zero outside the image. Differentiable in the coordinates (through the
 * fractional parts) and in the image.
 *
 * One pass over the pixels in plain JavaScript, with its gradient given to the tape directly
 * (tf.customGrad). Built from tfjs ops the same sampling costs, per layer and batch of
 * 128 × 28 × 28, four gathers and their scatter-add gradients plus dozens of mask and
 * broadcasting kernels, and the wasm backend runs gather, scatter, broadcasting and strided
 * stacks one element at a time: ~150 ms per layer forward and backward against ~5 ms here
 * (bench/augment-step.ts). The values are read once per call (cheap on cpu and wasm, one copy on
 * the native backends), and nothing here needs a second derivative (no rule takes one).
 */
import { tf } from '../tf.js';

/** What the backward pass needs from the forward one, per output pixel p (and channel). */
interface Taps {
  /** Flat pixel index of each of the four corners of p, or −1 outside the image: [4·P]. */
  readonly corner: Int32Array;
  /** The bilinear weight of each corner: [4·P]. */
  readonly weight: Float32Array;
  /** ∂out/∂sx and ∂out/∂sy per pixel and channel: [P·C]. */
  readonly dx: Float32Array;
  readonly dy: Float32Array;
}

/** Forward pass: `img` [B·H·W·C], `coords` [B, 2, P] (row 0 columns, row 1 rows) → out [B·P·C]. */
const forward = (
  img: Float32Array,
  coords: Float32Array,
  [b, h, w, c]: readonly [number, number, number, number],
  p: number,
): { readonly out: Float32Array; readonly taps: Taps } => {
  const out = new Float32Array(b * p * c);
  const corner = new Int32Array(4 * b * p);
  const weight = new Float32Array(4 * b * p);
  const dx = new Float32Array(b * p * c);
  const dy = new Float32Array(b * p * c);
  for (let n = 0; n < b; n++) {
    for (let q = 0; q < p; q++) {
      const sx = coords[2 * n * p + q] ?? 0;
      const sy = coords[(2 * n + 1) * p + q] ?? 0;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const inX0 = x0 >= 0 && x0 < w;
      const inX1 = x0 + 1 >= 0 && x0 + 1 < w;
      const inY0 = y0 >= 0 && y0 < h;
      const inY1 = y0 + 1 >= 0 && y0 + 1 < h;
      const row = (n * h + y0) * w + x0;
      const i00 = inY0 && inX0 ? row : -1;
      const i01 = inY0 && inX1 ? row + 1 : -1;
      const i10 = inY1 && inX0 ? row + w : -1;
      const i11 = inY1 && inX1 ? row + w + 1 : -1;
      const k = 4 * (n * p + q);
      corner[k] = i00;
      corner[k + 1] = i01;
      corner[k + 2] = i10;
      corner[k + 3] = i11;
      weight[k] = (1 - fy) * (1 - fx);
      weight[k + 1] = (1 - fy) * fx;
      weight[k + 2] = fy * (1 - fx);
      weight[k + 3] = fy * fx;
      for (let ch = 0; ch < c; ch++) {
        const v00 = i00 < 0 ? 0 : (img[i00 * c + ch] ?? 0);
        const v01 = i01 < 0 ? 0 : (img[i01 * c + ch] ?? 0);
        const v10 = i10 < 0 ? 0 : (img[i10 * c + ch] ?? 0);
        const v11 = i11 < 0 ? 0 : (img[i11 * c + ch] ?? 0);
        const top = v00 + fx * (v01 - v00);
        const bottom = v10 + fx * (v11 - v10);
        const o = (n * p + q) * c + ch;
        out[o] = top + fy * (bottom - top);
        dx[o] = (1 - fy) * (v01 - v00) + fy * (v11 - v10);
        dy[o] = bottom - top;
      }
    }
  }
  return { out, taps: { corner, weight, dx, dy } };
};

/** Backward pass: upstream gradient `g` [B·P·C] → gradients in the image [B·H·W·C] and coords [B, 2, P]. */
const backward = (
  g: Float32Array,
  { corner, weight, dx, dy }: Taps,
  [b, h, w, c]: readonly [number, number, number, number],
  p: number,
): { readonly dImg: Float32Array; readonly dCoords: Float32Array } => {
  const dImg = new Float32Array(b * h * w * c);
  const dCoords = new Float32Array(b * 2 * p);
  for (let n = 0; n < b; n++) {
    for (let q = 0; q < p; q++) {
      let gx = 0;
      let gy = 0;
      const o = (n * p + q) * c;
      for (let ch = 0; ch < c; ch++) {
        const go = g[o + ch] ?? 0;
        gx += go * (dx[o + ch] ?? 0);
        gy += go * (dy[o + ch] ?? 0);
      }
      dCoords[2 * n * p + q] = gx;
      dCoords[(2 * n + 1) * p + q] = gy;
    }
  }
  // The image's gradient: each output pixel's upstream gradient back onto its four corners.
  for (let k = 0; k < corner.length; k++) {
    const i = corner[k] ?? -1;
    if (i < 0) continue;
    const wk = weight[k] ?? 0;
    const o = (k >> 2) * c;
    for (let ch = 0; ch < c; ch++) dImg[i * c + ch] = (dImg[i * c + ch] ?? 0) + wk * (g[o + ch] ?? 0);
  }
  return { dImg, dCoords };
};

const float32 = (t: tf.Tensor): Float32Array => {
  const v = t.dataSync();
  return v instanceof Float32Array ? v : Float32Array.from(v, Number);
};

/**
 * The core: `img` [B, H, W, C]; `coords` [B, 2, P], row 0 the source columns and row 1 the source
 * rows (in pixels) of P output pixels per example. Returns [B, P, C].
 */
export const sampleAt = (img: tf.Tensor4D, coords: tf.Tensor3D): tf.Tensor3D => {
  const shape = img.shape;
  const [b, , , c] = shape;
  const p = coords.shape[2];
  if (coords.shape[0] !== b || coords.shape[1] !== 2)
    throw new Error(`internal: sampleAt needs coords [${b}, 2, P], got [${coords.shape.join(', ')}]`);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [im, co] = args;
    if (!(im instanceof tf.Tensor) || !(co instanceof tf.Tensor)) throw new Error('internal: sampleAt applied to no tensors');
    const { out, taps } = forward(float32(im), float32(co), shape, p);
    return {
      value: tf.tensor3d(out, [b, p, c]),
      gradFunc: (g: tf.Tensor) => {
        const { dImg, dCoords } = backward(float32(g), taps, shape, p);
        return [tf.tensor4d(dImg, shape), tf.tensor3d(dCoords, [b, 2, p])];
      },
    };
  });
  return op(img.dtype === 'float32' ? img : tf.cast(img, 'float32'), coords) as tf.Tensor3D;
};

/** `img` [B, H, W, C]; `sx`, `sy` [B, H, W] source columns and rows (in pixels) of each output pixel. */
export const bilinearSample = (img: tf.Tensor4D, sx: tf.Tensor, sy: tf.Tensor): tf.Tensor4D => {
  const [b, h, w, c] = img.shape;
  const coords = tf.concat([tf.reshape(sx, [b, 1, h * w]), tf.reshape(sy, [b, 1, h * w])], 1) as tf.Tensor3D;
  return tf.reshape(sampleAt(img, coords), [b, h, w, c]);
};

/**
 * `img` [B, H, W, C] resampled through one affine map per example: `a` [B, 2, 3] takes an output
 * pixel's offset from the image centre (column, row, 1) to its source's offset from the centre
 * (column, row). The identity is [[1, 0, 0], [0, 1, 0]].
 */
export const affineSample = (img: tf.Tensor4D, a: tf.Tensor3D): tf.Tensor4D => {
  const [b, h, w, c] = img.shape;
  const [cy, cx] = [(h - 1) / 2, (w - 1) / 2];
  const grid = tf.tensor2d(
    [
      Array.from({ length: h * w }, (_, k) => (k % w) - cx),
      Array.from({ length: h * w }, (_, k) => Math.floor(k / w) - cy),
      Array.from({ length: h * w }, () => 1),
    ],
    [3, h * w],
  );
  // Back to absolute pixels: the centre joins the translation column.
  const absolute = tf.add(a, tf.tensor3d([0, 0, cx, 0, 0, cy], [1, 2, 3]));
  const coords = tf.reshape(tf.matMul(tf.reshape(absolute, [b * 2, 3]), grid), [b, 2, h * w]) as tf.Tensor3D;
  return tf.reshape(sampleAt(img, coords), [b, h, w, c]);
};
