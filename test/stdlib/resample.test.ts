/**
 * The bilinear sampler under the augmentation layers: values against a float64 loop, and its
 * hand-written gradients (image and coordinates) against finite differences, including corners
 * outside the image and several channels; the affine entry point against coordinates mapped in
 * float64; a translate → rotate → shear pipeline's magnitude gradients, which reach the first
 * layer only through the later layers' image gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bilinear } from '../helpers/bilinear.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineSample, bilinearSample, sampleAt } from '../../stdlib/layers/resample.js';
import { expectAllClose, expectGradMatches, seededCtx } from '../helpers/finite-diff.js';
import { layer, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

const [B, H, W, C] = [2, 4, 5, 2];
const P = 7;
const img = values(B * H * W * C, 21);

/** Source coordinates inside, partly outside and wholly outside the image, none near an integer. */
const coords = Float64Array.from(values(B * 2 * P, 22), (v, i) => {
  const isRow = Math.floor(i / P) % 2 === 1;
  const x = v * (isRow ? H : W) * 0.8 + (isRow ? H : W) / 2 - 0.5;
  const frac = x - Math.floor(x);
  return frac < 0.05 || frac > 0.95 ? x + 0.3 : x;
});

/** Bilinear sampling in float64, zero outside, channel `ch` of example `n`. */
const sampleJs = (im: Float64Array, n: number, ch: number, sx: number, sy: number): number =>
  bilinear((x, y) => im[((n * H + y) * W + x) * C + ch] ?? 0, H, W, sx, sy);

const imgT = (v: Float64Array = img): tf.Tensor4D => tf.tensor4d(Float32Array.from(v), [B, H, W, C]);
const coordsT = (v: Float64Array = coords): tf.Tensor3D => tf.tensor3d(Float32Array.from(v), [B, 2, P]);
/** A fixed linear read-out, so every output element reaches the loss with its own weight. */
const readout = (y: tf.Tensor, seed: number): tf.Tensor =>
  tf.sum(tf.mul(y, tf.tensor(Float32Array.from(values(y.size, seed)), y.shape)));

describe('sampleAt', () => {
  it('matches the float64 loop, zero outside the image, channel by channel', () => {
    const out = tf.tidy(() => Array.from(sampleAt(imgT(), coordsT()).dataSync()));
    const img32 = Float64Array.from(Float32Array.from(img));
    const c32 = Float32Array.from(coords);
    const ref: number[] = [];
    for (let n = 0; n < B; n++)
      for (let q = 0; q < P; q++)
        for (let ch = 0; ch < C; ch++)
          ref.push(sampleJs(img32, n, ch, c32[2 * n * P + q] ?? 0, c32[(2 * n + 1) * P + q] ?? 0));
    expectAllClose(out, ref, 1e-5, 1e-6);
    // Some samples fall wholly outside (exactly zero), some straddle the border.
    expect(ref.some((v) => v === 0)).toBe(true);
    expect(ref.filter((v) => v !== 0).length).toBeGreaterThan(B * P);
  });

  it('has a gradient in the image matching finite differences', () => {
    expectGradMatches([B, H, W, C], (im) => readout(sampleAt(im as tf.Tensor4D, coordsT()), 3), img);
  });

  it('has a gradient in the coordinates matching finite differences', () => {
    expectGradMatches([B, 2, P], (co) => readout(sampleAt(imgT(), co as tf.Tensor3D), 4), coords, { h: 1e-2 });
  });

  it('gives both gradients at once and leaks nothing', () => {
    const [im, co] = [imgT(), coordsT()];
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const grads = tf.grads((a: tf.Tensor, c: tf.Tensor) => readout(sampleAt(a as tf.Tensor4D, c as tf.Tensor3D), 5))([im, co]);
      expect(grads.map((g) => g.shape)).toEqual([
        [B, H, W, C],
        [B, 2, P],
      ]);
      tf.dispose(grads);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([im, co]);
  });

  it('rejects coordinates of the wrong shape (a caller bug)', () => {
    expect(() => sampleAt(imgT(), tf.zeros([B, 3, P]) as tf.Tensor3D)).toThrow(/internal/);
  });
});

describe('bilinearSample and affineSample', () => {
  const [h, w] = [H, W];
  it('bilinearSample reads (sx, sy) per output pixel', () => {
    tf.tidy(() => {
      const sx = tf.tensor3d(Float32Array.from(values(B * h * w, 30), (v) => v * 3 + 2), [B, h, w]);
      const sy = tf.tensor3d(Float32Array.from(values(B * h * w, 31), (v) => v * 3 + 1.5), [B, h, w]);
      const got = bilinearSample(imgT(), sx, sy);
      expect(got.shape).toEqual([B, h, w, C]);
      const [x32, y32] = [sx.dataSync(), sy.dataSync()];
      const img32 = Float64Array.from(Float32Array.from(img));
      const ref: number[] = [];
      for (let k = 0; k < B * h * w; k++)
        for (let ch = 0; ch < C; ch++) ref.push(sampleJs(img32, Math.floor(k / (h * w)), ch, x32[k] ?? 0, y32[k] ?? 0));
      expectAllClose(got.dataSync(), ref, 1e-5, 1e-6);
    });
  });

  it('affineSample maps each pixel’s offset from the centre through its example’s matrix', () => {
    const a = [
      [0.9, -0.3, 0.7, 0.4, 1.1, -0.6],
      [1, 0, -1.3, 0, 1, 2.2],
    ];
    const got = tf.tidy(() => Array.from(affineSample(imgT(), tf.tensor3d(a.flat(), [B, 2, 3])).dataSync()));
    const img32 = Float64Array.from(Float32Array.from(img));
    const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
    const ref: number[] = [];
    for (let n = 0; n < B; n++)
      for (let r = 0; r < h; r++)
        for (let c = 0; c < w; c++) {
          const m = a[n] ?? [];
          const [x, y] = [c - cx, r - cy];
          const sx = (m[0] ?? 0) * x + (m[1] ?? 0) * y + (m[2] ?? 0) + cx;
          const sy = (m[3] ?? 0) * x + (m[4] ?? 0) * y + (m[5] ?? 0) + cy;
          for (let ch = 0; ch < C; ch++) ref.push(sampleJs(img32, n, ch, sx, sy));
        }
    expectAllClose(got, ref, 1e-4, 1e-5);
  });

  it('affineSample is exactly the identity at [[1, 0, 0], [0, 1, 0]]', () => {
    const got = tf.tidy(() => Array.from(affineSample(imgT(), tf.tensor3d([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0], [B, 2, 3])).dataSync()));
    expect(got).toEqual(Array.from(Float32Array.from(img)));
  });
});

describe('translate → rotate → shear', () => {
  const x = tf.tensor(
    Float32Array.from({ length: 3 * 8 * 7 }, (_, i) => Math.sin(0.7 * Math.floor(i / 7) + 0.5 * (i % 7) + Math.floor(i / 56))),
    [3, 8, 7],
  );
  const pipeline = (m: readonly tf.Tensor[]): tf.Tensor => {
    const ctx = seededCtx(3);
    return ['translate', 'rotate', 'shear'].reduce(
      (h, name, i) => layer(name).apply({ magnitude: m[i] ?? tf.scalar(0) }, h, {}, ctx),
      x,
    );
  };
  const mags = [1.3, 12, 0.25];
  it.each([0, 1, 2])('the gradient in magnitude %i matches finite differences', (k) => {
    const f = (m: tf.Tensor): tf.Tensor =>
      readout(pipeline(mags.map((v, i) => (i === k ? m : tf.scalar(v)))), 6);
    expectGradMatches([], f, Float64Array.of(mags[k] ?? 0), { h: 1e-3 * (mags[k] ?? 1), rtol: 2e-2 });
  });
});
