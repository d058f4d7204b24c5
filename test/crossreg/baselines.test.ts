import { describe, expect, it } from 'vitest';
import {
  gram,
  lassoFit,
  lassoPath,
  logspace,
  norm1,
  predict,
  ridgeFit,
  ridgePath,
  roughness,
  softThreshold,
  splineFit,
  splineProblem,
  xtv,
  zeroSet,
  type Problem,
} from '../../stdlib/baselines/index.js';
import { smoothnessMatrix } from '../../stdlib/functions/spline-math.js';

/** A small seeded regression problem (LCG + Box–Muller), independent of the project's PRNG. */
const synthetic = (n: number, d: number, seed: number): Problem => {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const g = (): number => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const x = Float64Array.from({ length: n * d }, g);
  const w = Float64Array.from({ length: d }, (_, j) => (j % 3 === 0 ? 0 : j % 2 === 0 ? 1.5 : -2));
  const f = predict({ n, d, x, y: new Float64Array(n) }, w);
  return { n, d, x, y: f.map((v) => v + 0.5 * g()) };
};

/** Xᵀ(y − Xw)/n, the negative half-gradient of mse. */
const corr = (p: Problem, w: Float64Array): Float64Array => {
  const f = predict(p, w);
  return xtv(p, f.map((v, i) => (p.y[i] ?? 0) - v)).map((v) => v / p.n);
};

const p = synthetic(60, 8, 7);

describe('ridge baseline', () => {
  it('zeroes the gradient of ‖y − Xw‖² + λ‖w‖²', () => {
    for (const lam of [1e-3, 0.7, 50]) {
      const w = ridgeFit(p, lam);
      const r = corr(p, w);
      // ∇ = −2Xᵀr + 2λw = 0  ⇔  n·corr = λw
      for (let j = 0; j < p.d; j++) expect(p.n * (r[j] ?? 0)).toBeCloseTo(lam * (w[j] ?? 0), 8);
    }
  });
  it('tends to least squares as λ → 0 and to 0 as λ → ∞', () => {
    const ols = ridgeFit(p, 1e-12);
    const r = corr(p, ols);
    for (const v of r) expect(Math.abs(v)).toBeLessThan(1e-9);
    const big = ridgeFit(p, 1e12);
    for (const v of big) expect(Math.abs(v)).toBeLessThan(1e-8);
  });
  it('selects the path point with the lowest regularization MSE, whose norm falls with λ', () => {
    const reg = synthetic(40, 8, 99);
    const path = ridgePath(p, reg, logspace(-3, 3, 25));
    const best = path.points[path.best];
    expect(best).toBeDefined();
    for (const q of path.points) expect(q.regMse).toBeGreaterThanOrEqual(best?.regMse ?? 0);
    for (let i = 1; i < path.points.length; i++) expect(path.points[i]?.norm ?? 0).toBeLessThan(path.points[i - 1]?.norm ?? 0);
  });
});

describe('LASSO baseline', () => {
  it('soft-thresholds', () => {
    expect(softThreshold(3, 1)).toBe(2);
    expect(softThreshold(-3, 1)).toBe(-2);
    expect(softThreshold(0.5, 1)).toBe(0);
  });
  it('meets the KKT conditions of ‖y − Xw‖²/(2n) + λ‖w‖₁', () => {
    for (const lam of [0.01, 0.3, 1]) {
      const w = lassoFit(p, lam);
      const c = corr(p, w);
      for (let j = 0; j < p.d; j++) {
        const wj = w[j] ?? 0;
        const cj = c[j] ?? 0;
        if (wj !== 0) expect(cj).toBeCloseTo(lam * Math.sign(wj), 9);
        else expect(Math.abs(cj)).toBeLessThanOrEqual(lam + 1e-12);
      }
    }
  });
  it('is all zero above λ_max = max|Xᵀy|/n and least squares at λ → 0', () => {
    const lmax = Math.max(...Array.from(xtv(p, p.y)).map((v) => Math.abs(v) / p.n));
    expect(zeroSet(lassoFit(p, lmax * 1.0001), 0)).toHaveLength(p.d);
    expect(zeroSet(lassoFit(p, lmax * 0.9), 0).length).toBeLessThan(p.d);
    const ls = lassoFit(p, 1e-14);
    const ols = ridgeFit(p, 1e-12);
    for (let j = 0; j < p.d; j++) expect(ls[j] ?? 0).toBeCloseTo(ols[j] ?? 0, 6);
  });
  it('warm-started path equals cold fits, and its L1 norm falls with λ', () => {
    const lams = logspace(-2, 0, 9);
    const path = lassoPath(p, synthetic(30, 8, 5), lams);
    lams.forEach((lam, i) => {
      const cold = lassoFit(p, lam);
      const w = path.points[i]?.w ?? new Float64Array();
      for (let j = 0; j < p.d; j++) expect(w[j] ?? 0).toBeCloseTo(cold[j] ?? 0, 8);
    });
    for (let i = 1; i < lams.length; i++) expect(path.points[i]?.norm ?? 0).toBeLessThanOrEqual((path.points[i - 1]?.norm ?? 0) + 1e-12);
    expect(path.points[0]?.norm).toBeCloseTo(norm1(lassoFit(p, lams[0] ?? 0)), 10);
  });
});

describe('smoothing spline baseline', () => {
  const basis = { knots: 15, degree: 3, kind: 'integral' as const };
  const xs = Array.from({ length: 40 }, (_, i) => (i + 0.5) / 40);
  const ys = xs.map((x) => Math.sin(2 * Math.PI * x) + 0.3 * Math.cos(11 * x));
  const sp = splineProblem(xs, ys, basis);
  const omega = smoothnessMatrix(15, 3, 'integral');
  it('has B-spline rows that sum to one (partition of unity)', () => {
    for (let i = 0; i < sp.n; i++) {
      let s = 0;
      for (let j = 0; j < sp.d; j++) s += sp.x[i * sp.d + j] ?? 0;
      expect(s).toBeCloseTo(1, 12);
    }
  });
  it('zeroes the gradient of mse + λβᵀΩβ', () => {
    const lam = 1e-3;
    const beta = splineFit(sp, lam, basis);
    const c = corr(sp, beta);
    for (let a = 0; a < sp.d; a++) {
      let ob = 0;
      for (let b = 0; b < sp.d; b++) ob += (omega[a * sp.d + b] ?? 0) * (beta[b] ?? 0);
      // ∇ = −2Xᵀr/n + 2λΩβ
      expect(c[a] ?? 0).toBeCloseTo(lam * ob, 9);
    }
  });
  it('becomes linear (Ωβ → 0) as λ → ∞ and interpolates better as λ → 0', () => {
    const stiff = splineFit(sp, 1e8, basis);
    expect(roughness(stiff, omega)).toBeLessThan(1e-8);
    const loose = splineFit(sp, 1e-9, basis);
    const g = gram(sp);
    expect(g.length).toBe(sp.d * sp.d);
    const fitLoose = corr(sp, loose).reduce((s, v) => s + v * v, 0);
    expect(fitLoose).toBeLessThan(1e-10);
  });
});
