/**
 * The two layers the SRN comparison adds: spectral_dense against a float64 construction with known
 * singular values and a float64 power iteration, random_erase against what its mask must be.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawRect } from '../../stdlib/layers/erase.js';
import { makeRng } from '../../stdlib/data/random.js';
import { expectAllClose, expectGradMatches, seededCtx } from '../helpers/finite-diff.js';
import { layer, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

/** Householder reflection I − 2uuᵀ/uᵀu of size n (orthogonal). */
const householder = (n: number, phase: number): number[][] => {
  const u = Array.from({ length: n }, (_, i) => Math.cos(1.7 * i + phase));
  const uu = u.reduce((a, b) => a + b * b, 0);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) - (2 * (u[i] ?? 0) * (u[j] ?? 0)) / uu));
};

/** σ_max of a rows×cols matrix by 3000 rounds of float64 power iteration on WᵀW. */
const sigmaMax = (w: readonly number[], rows: number, cols: number): number => {
  let v = Array.from({ length: cols }, () => 1);
  let s = 0;
  for (let k = 0; k < 3000; k++) {
    const wv = Array.from({ length: rows }, (_, i) => v.reduce((a, vj, j) => a + (w[i * cols + j] ?? 0) * vj, 0));
    const wtwv = Array.from({ length: cols }, (_, j) => wv.reduce((a, x, i) => a + (w[i * cols + j] ?? 0) * x, 0));
    const n = Math.hypot(...wtwv);
    s = Math.sqrt(n / Math.hypot(...v));
    v = wtwv.map((x) => x / n);
  }
  return s;
};

const matmul = (x: readonly number[], w: readonly number[], n: number, k: number, m: number): number[] =>
  Array.from({ length: n * m }, (_, idx) => {
    const i = Math.floor(idx / m);
    const j = idx % m;
    let s = 0;
    for (let l = 0; l < k; l++) s += (x[i * k + l] ?? 0) * (w[l * m + j] ?? 0);
    return s;
  });

describe('spectral_dense', () => {
  const apply = (w: readonly number[], rows: number, cols: number, x: readonly number[], n: number): number[] =>
    Array.from(layer('spectral_dense').apply({ w: tf.tensor2d([...w], [rows, cols]), b: tf.zeros([cols]) }, tf.tensor2d([...x], [n, rows]), { units: cols, iterations: 60 }, seededCtx()).dataSync());

  it('divides W = U diag(3, 1, 0.5) Vᵀ by 3', () => {
    const u = householder(4, 0.3);
    const v = householder(3, 1.1);
    const s = [3, 1, 0.5];
    const w = Array.from({ length: 12 }, (_, idx) => {
      const i = Math.floor(idx / 3);
      const j = idx % 3;
      return s.reduce((a, sk, k) => a + (u[i]?.[k] ?? 0) * sk * (v[j]?.[k] ?? 0), 0);
    });
    const x = Array.from(values(8, 3));
    expectAllClose(apply(w, 4, 3, x, 2), matmul(x, w, 2, 4, 3).map((y) => y / 3), 1e-4, 1e-4);
  });
  it('on a random 6×5 W agrees with a float64 power iteration', () => {
    const w = Array.from(values(30, 7));
    const x = Array.from(values(12, 5));
    const sigma = sigmaMax(w, 6, 5);
    expectAllClose(apply(w, 6, 5, x, 2), matmul(x, w, 2, 6, 5).map((y) => y / sigma), 2e-3, 2e-3);
  });
  it('passes gradients to W (finite differences)', () => {
    const w = Array.from(values(12, 11));
    const x = tf.tensor2d(Array.from(values(8, 2)), [2, 4]);
    expectGradMatches(
      [4, 3],
      (wt) => tf.sum(tf.square(layer('spectral_dense').apply({ w: wt, b: tf.zeros([3]) }, x, { units: 3, iterations: 60 }, seededCtx()))),
      Float64Array.from(w),
    );
  });
});

describe('random_erase', () => {
  const img = tf.fill([16, 8, 8], 5);
  it('is the identity when deterministic or p = 0', () => {
    const det = layer('random_erase').apply({}, img, { p: 1 }, seededCtx(1, false));
    expect(Array.from(det.dataSync()).every((v) => v === 5)).toBe(true);
    const p0 = layer('random_erase').apply({}, img, { p: 0 }, seededCtx());
    expect(Array.from(p0.dataSync()).every((v) => v === 5)).toBe(true);
  });
  it('with p = 1 replaces one full rectangle per example by values in [0, 1]', () => {
    const out = layer('random_erase').apply({}, img, { p: 1, min_area: 0.1, max_area: 0.4 }, seededCtx(3)).arraySync() as number[][][];
    let erased = 0;
    for (const ex of out) {
      const cells = ex.flatMap((row, r) => row.flatMap((v, c) => (v !== 5 ? [[r, c, v] as const] : [])));
      if (cells.length === 0) continue;
      erased++;
      const rs = cells.map(([r]) => r);
      const cs = cells.map(([, c]) => c);
      const box = (Math.max(...rs) - Math.min(...rs) + 1) * (Math.max(...cs) - Math.min(...cs) + 1);
      expect(cells.length).toBe(box);
      for (const [, , v] of cells) expect(v >= 0 && v <= 1).toBe(true);
    }
    // A draw may fail to fit ten times (then the example is kept): most fit on 8×8 at these areas.
    expect(erased).toBeGreaterThanOrEqual(12);
  });
  it('draws areas in [min_area, max_area] and aspect ratios in [min_aspect, 1/min_aspect] (up to rounding)', () => {
    const rng = makeRng(9);
    const o = { p: 1, minArea: 0.05, maxArea: 0.2, minAspect: 0.5 };
    for (let i = 0; i < 300; i++) {
      const r = drawRect(200, 200, o, rng);
      if (r === undefined) continue;
      const [top, left, h, w] = r;
      expect(top + h).toBeLessThanOrEqual(200);
      expect(left + w).toBeLessThanOrEqual(200);
      const frac = (h * w) / 40000;
      expect(frac).toBeGreaterThan(0.05 * 0.97);
      expect(frac).toBeLessThan(0.2 * 1.03);
      expect(h / w).toBeGreaterThan(0.5 * 0.97);
      expect(h / w).toBeLessThan(2 * 1.03);
    }
  });
  it('refuses inputs that are not images', () => {
    const r = layer('random_erase').infer([64], {});
    expect(r._tag === 'Left' ? r.left : '').toContain('reshape(shape: [8, 8]) first');
  });
});
