import * as tf from '@tensorflow/tfjs-core';
import { bilinear } from '../helpers/bilinear.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConstArgs } from '../../stdlib/types.js';
import { expectAllClose, expectGradMatches, seededCtx } from '../helpers/finite-diff.js';
import { layer, right, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

const t = (v: Float64Array, shape: readonly number[]): tf.Tensor => tf.tensor(Float32Array.from(v), [...shape]);
/** A fixed linear read-out, so a gradient check sees every output element with a distinct weight. */
const readout = (y: tf.Tensor, seed: number): tf.Tensor => tf.sum(tf.mul(y, t(values(y.size, seed), y.shape)));

describe('dense', () => {
  const x = values(3 * 4, 2);
  const w = values(4 * 2, 3);
  const b = values(2, 4);
  const apply = (wt: tf.Tensor, bt: tf.Tensor): tf.Tensor =>
    layer('dense').apply({ w: wt, b: bt }, t(x, [3, 4]), { units: 2 }, seededCtx());
  it('computes x·w + b', () => {
    const out = tf.tidy(() => Array.from(apply(t(w, [4, 2]), t(b, [2])).dataSync()));
    const ref: number[] = [];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++) {
        let s = b[j] ?? 0;
        for (let k = 0; k < 4; k++) s += (x[i * 4 + k] ?? 0) * (w[k * 2 + j] ?? 0);
        ref.push(s);
      }
    expectAllClose(out, ref, 1e-5, 1e-6);
  });
  it('has gradients in w and b matching finite differences', () => {
    expectGradMatches([4, 2], (wt) => readout(apply(wt, t(b, [2])), 9), w);
    expectGradMatches([2], (bt) => readout(apply(t(w, [4, 2]), bt), 9), b);
  });
});

describe('conv1d', () => {
  const [L, C, F, K] = [7, 2, 3, 3];
  const x = values(2 * L * C, 5);
  const w = values(K * C * F, 6);
  const apply = (xt: tf.Tensor, wt: tf.Tensor, args: ConstArgs = {}): tf.Tensor =>
    layer('conv1d').apply({ w: wt, b: tf.zeros([F]) }, xt, { filters: F, kernel: K, ...args }, seededCtx());
  it('matches a direct loop with "same" zero padding', () => {
    const out = tf.tidy(() => Array.from(apply(t(x, [2, L, C]), t(w, [K, C, F])).dataSync()));
    const ref: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < L; i++)
        for (let f = 0; f < F; f++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            const p = i + k - 1;
            if (p < 0 || p >= L) continue;
            for (let c = 0; c < C; c++) s += (x[(n * L + p) * C + c] ?? 0) * (w[(k * C + c) * F + f] ?? 0);
          }
          ref.push(s);
        }
    expectAllClose(out, ref, 1e-5, 1e-5);
  });
  it('has gradients in w and x matching finite differences (stride 2, valid)', () => {
    const args = { stride: 2, padding: 'valid' };
    expectGradMatches([K, C, F], (wt) => readout(apply(t(x, [2, L, C]), wt, args), 3), w);
    expectGradMatches([2, L, C], (xt) => readout(apply(xt, t(w, [K, C, F]), args), 3), x);
  });
});

describe('conv2d', () => {
  it('has gradients in w and b matching finite differences', () => {
    const x = values(2 * 5 * 4 * 2, 7);
    const w = values(3 * 3 * 2 * 2, 8);
    const b = values(2, 9);
    const apply = (wt: tf.Tensor, bt: tf.Tensor): tf.Tensor =>
      layer('conv2d').apply({ w: wt, b: bt }, t(x, [2, 5, 4, 2]), { filters: 2, kernel: 3, stride: 2 }, seededCtx());
    expectGradMatches([3, 3, 2, 2], (wt) => readout(apply(wt, t(b, [2])), 4), w);
    expectGradMatches([2], (bt) => readout(apply(t(w, [3, 3, 2, 2]), bt), 4), b);
  });
});

describe('layer_norm', () => {
  const x = values(3 * 4, 11).map((v, i) => v * (1 + i));
  const gamma = values(4, 12);
  const beta = values(4, 13);
  const apply = (xt: tf.Tensor, g: tf.Tensor): tf.Tensor =>
    layer('layer_norm').apply({ gamma: g, beta: t(beta, [4]) }, xt, {}, seededCtx());
  it('normalizes each example to mean 0 and variance 1 before the affine map', () => {
    const out = tf.tidy(() => Array.from(apply(t(x, [3, 4]), t(gamma, [4])).dataSync()));
    const ref: number[] = [];
    for (let i = 0; i < 3; i++) {
      const row = Array.from(x.slice(i * 4, i * 4 + 4));
      const m = row.reduce((a, v) => a + v, 0) / 4;
      const v = row.reduce((a, r) => a + (r - m) ** 2, 0) / 4;
      row.forEach((r, j) => ref.push(((r - m) / Math.sqrt(v + 1e-5)) * (gamma[j] ?? 0) + (beta[j] ?? 0)));
    }
    expectAllClose(out, ref, 1e-4, 1e-5);
  });
  it('has gradients in x and gamma matching finite differences', () => {
    expectGradMatches([3, 4], (xt) => readout(apply(xt, t(gamma, [4])), 5), x);
    expectGradMatches([4], (g) => readout(apply(t(x, [3, 4]), g), 5), gamma);
  });
});

describe('noise layers', () => {
  const x = values(4 * 3, 21);
  const run = (name: string, ls: tf.Tensor, seed = 5, stochastic = true): tf.Tensor =>
    layer(name).apply({ log_sigma: ls }, t(x, [4, 3]), {}, seededCtx(seed, stochastic));
  it('noise and mult_noise have gradients in log_sigma matching finite differences (fixed seed)', () => {
    for (const name of ['noise', 'mult_noise']) {
      expectGradMatches([], (ls) => readout(run(name, ls), 6), Float64Array.of(-0.7));
      expectGradMatches([], (ls) => readout(run(name, ls), 6), Float64Array.of(0.4));
    }
  });
  it('noise adds exactly σ·ε: (h′ − h)/σ does not depend on σ', () => {
    tf.tidy(() => {
      const e1 = tf.div(tf.sub(run('noise', tf.scalar(Math.log(0.5))), t(x, [4, 3])), 0.5).dataSync();
      const e2 = tf.div(tf.sub(run('noise', tf.scalar(Math.log(2))), t(x, [4, 3])), 2).dataSync();
      expectAllClose(e1, e2, 1e-4, 1e-5);
    });
  });
  it('is reproducible with the same seeds, differs with others, and is the identity when deterministic', () => {
    tf.tidy(() => {
      for (const name of ['noise', 'mult_noise']) {
        const ls = tf.scalar(-1);
        expect(run(name, ls, 5).arraySync()).toEqual(run(name, ls, 5).arraySync());
        expect(run(name, ls, 5).arraySync()).not.toEqual(run(name, ls, 6).arraySync());
        expectAllClose(run(name, ls, 5, false).dataSync(), Float32Array.from(x), 0, 0);
      }
    });
  });
});

describe('dropout', () => {
  it('keeps about 1 − rate of the units, scaled by 1/(1 − rate); reproducible; identity when deterministic', () => {
    tf.tidy(() => {
      const x = tf.ones([50, 40]);
      const y = layer('dropout').apply({}, x, { rate: 0.25 }, seededCtx(3));
      const v = Array.from(y.dataSync());
      const kept = v.filter((a) => a !== 0);
      expect(kept.every((a) => Math.abs(a - 1 / 0.75) < 1e-6)).toBe(true);
      expect(Math.abs(kept.length / v.length - 0.75)).toBeLessThan(0.05);
      expect(layer('dropout').apply({}, x, { rate: 0.25 }, seededCtx(3)).arraySync()).toEqual(y.arraySync());
      expect(layer('dropout').apply({}, x, { rate: 0.25 }, seededCtx(3, false)).arraySync()).toEqual(x.arraySync());
    });
  });
});

/** Bilinear sampling in float64 with zero outside: the reference for the augmentation layers. */
const sampleJs = (img: Float64Array, h: number, w: number, sx: number, sy: number): number => bilinear((x, y) => img[y * w + x] ?? 0, h, w, sx, sy);

describe('learned augmentation', () => {
  const [B, H, W] = [3, 6, 5];
  /** A smooth image, so gradients in the magnitude are informative. */
  const img = Float64Array.from({ length: B * H * W }, (_, i) => {
    const [n, r, c] = [Math.floor(i / (H * W)), Math.floor(i / W) % H, i % W];
    return Math.sin(0.9 * r + 0.4 * c + n) + 0.1 * r;
  });
  const run = (name: string, mag: tf.Tensor, seed = 11, stochastic = true): tf.Tensor =>
    layer(name).apply({ magnitude: mag }, t(img, [B, H, W]), {}, seededCtx(seed, stochastic));
  const sources: Record<string, (u: readonly number[], a: number, r: number, c: number) => readonly [number, number]> = {
    translate: (u, a, r, c) => [c - a * (u[0] ?? 0), r - a * (u[1] ?? 0)],
    rotate: (u, a, r, c) => {
      const th = (a * (u[0] ?? 0) * Math.PI) / 180;
      const [xr, yr] = [c - (W - 1) / 2, r - (H - 1) / 2];
      return [Math.cos(th) * xr + Math.sin(th) * yr + (W - 1) / 2, Math.cos(th) * yr - Math.sin(th) * xr + (H - 1) / 2];
    },
    shear: (u, a, r, c) => [c + a * (u[0] ?? 0) * (r - (H - 1) / 2), r],
  };
  const draws: Record<string, number> = { translate: 2, rotate: 1, shear: 1 };
  const magnitudes: Record<string, number> = { translate: 1.7, rotate: 20, shear: 0.3 };

  it.each(Object.keys(sources))('%s resamples each example at α·u (u drawn with the layer seed)', (name) => {
    const a = magnitudes[name] ?? 0;
    const k = draws[name] ?? 1;
    const out = tf.tidy(() => Array.from(run(name, tf.scalar(a)).dataSync()));
    const u = tf.tidy(() => Array.from(tf.randomUniform([B, k, 1, 1], -1, 1, 'float32', 11).dataSync()));
    const ref: number[] = [];
    for (let n = 0; n < B; n++)
      for (let r = 0; r < H; r++)
        for (let c = 0; c < W; c++) {
          const [sx, sy] = (sources[name] ?? (() => [0, 0]))(u.slice(n * k, n * k + k), a, r, c);
          ref.push(sampleJs(img.subarray(n * H * W, (n + 1) * H * W), H, W, sx, sy));
        }
    expectAllClose(out, ref, 1e-4, 1e-4);
  });
  it.each(Object.keys(sources))('%s has a gradient in its magnitude matching finite differences', (name) => {
    const a = magnitudes[name] ?? 0;
    expectGradMatches([], (m) => readout(run(name, m), 2), Float64Array.of(a), { h: 1e-3 * a, rtol: 2e-2 });
  });
  it.each(Object.keys(sources))('%s is reproducible, and the identity when deterministic or α = 0', (name) => {
    tf.tidy(() => {
      const a = tf.scalar(magnitudes[name] ?? 0);
      expect(run(name, a, 4).arraySync()).toEqual(run(name, a, 4).arraySync());
      expect(run(name, a, 4).arraySync()).not.toEqual(run(name, a, 5).arraySync());
      expectAllClose(run(name, a, 4, false).dataSync(), Float32Array.from(img), 0, 0);
      expectAllClose(run(name, tf.scalar(0)).dataSync(), Float32Array.from(img), 1e-6, 1e-6);
    });
  });
  it('works on [H, W, C] images channel by channel', () => {
    tf.tidy(() => {
      const x = t(img, [B, H, W]);
      const stacked = tf.stack([x, tf.mul(x, 2)], -1);
      const y = layer('rotate').apply({ magnitude: tf.scalar(15) }, stacked, {}, seededCtx(8));
      const y0 = layer('rotate').apply({ magnitude: tf.scalar(15) }, x, {}, seededCtx(8));
      const [c0, c1] = tf.unstack(y, 3);
      expectAllClose((c0 ?? y0).dataSync(), y0.dataSync(), 1e-5, 1e-5);
      expectAllClose((c1 ?? y0).dataSync(), tf.mul(y0, 2).dataSync(), 1e-5, 1e-5);
    });
  });
});

describe('parameters from infer fit apply', () => {
  it('dense built from its ParamSpecs runs on a [B, 4, 2] batch', () => {
    const { params } = right(layer('dense').infer([4, 2], { units: 3 }));
    const out = tf.tidy(() => {
      const ps = Object.fromEntries(params.map((p) => [p.name, tf.ones([...p.shape])]));
      return Array.from(layer('dense').apply(ps, tf.ones([2, 4, 2]), { units: 3 }, seededCtx()).dataSync());
    });
    expect(out).toEqual([9, 9, 9, 9, 9, 9]);
  });
});

describe('under tf.variableGrads', () => {
  it('noise, translate and dense give gradients for every variable and free the rest', () => {
    const logSigma = tf.variable(tf.scalar(-1));
    const mag = tf.variable(tf.scalar(1.3));
    const w = tf.variable(tf.ones([4 * 3, 2]));
    const x = tf.tensor(Float32Array.from(values(2 * 4 * 3, 3)), [2, 4, 3]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const ctx = seededCtx(2);
      const h1 = layer('translate').apply({ magnitude: mag }, x, {}, ctx);
      const h2 = layer('noise').apply({ log_sigma: logSigma }, h1, {}, ctx);
      return tf.sum(tf.square(layer('dense').apply({ w }, h2, { units: 2, bias: false }, ctx))) as tf.Scalar;
    });
    expect(Object.keys(grads).sort()).toEqual([logSigma.name, mag.name, w.name].sort());
    for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logSigma, mag, w, x]);
  });
});
