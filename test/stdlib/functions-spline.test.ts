import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { smoothnessMatrix } from '../../stdlib/functions/index.js';
import { basisAt, basisDerivativeAt, gaussLegendre, knotVector } from '../../stdlib/functions/spline-math.js';
import { expectAllClose, expectGradMatches } from '../helpers/finite-diff.js';
import { expectNoLeak, func, leftMessage, right, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

const basis = (xs: readonly number[], knots: number, degree: number): number[][] =>
  tf.tidy(() => func('bspline').apply([tf.tensor(xs)], { knots, degree }).arraySync() as number[][]);

const grid = Array.from({ length: 41 }, (_, i) => i / 40);

describe('bspline', () => {
  it('has knots + degree − 1 columns', () => {
    expect(right(func('bspline').infer([['B']], {}))).toEqual(['B', 17]);
    expect(right(func('bspline').infer([[20, 1]], { knots: 5, degree: 2 }))).toEqual([20, 6]);
    expect(leftMessage(func('bspline').infer([['B', 3]], {}))).toContain('expects points of shape [B]');
    expect(leftMessage(func('bspline').infer([['B']], { knots: 1 }))).toContain("'knots'");
  });
  it('is a partition of unity on [0, 1], endpoints included, and non-negative', () => {
    for (const [k, d] of [
      [15, 3],
      [6, 2],
      [4, 1],
      [5, 0],
    ] as const) {
      for (const row of basis(grid, k, d)) {
        expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
        expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      }
    }
  });
  it('with two knots is the Bernstein basis', () => {
    const xs = [0, 0.2, 0.5, 0.9, 1];
    const bern = (x: number): number[] => [(1 - x) ** 3, 3 * x * (1 - x) ** 2, 3 * x * x * (1 - x), x ** 3];
    expectAllClose(basis(xs, 2, 3).flat(), xs.flatMap(bern), 1e-5, 1e-6);
  });
  it('takes the uniform cubic values 1/6, 2/3, 1/6 at an interior knot', () => {
    // Knots 0, 1/6, …, 1: at x = 1/2 only N3, N4, N5 are non-zero and all three are uniform B-splines.
    const row = basis([0.5], 7, 3)[0] ?? [];
    expectAllClose(row, [0, 0, 0, 1 / 6, 2 / 3, 1 / 6, 0, 0, 0], 1e-6, 1e-6);
  });
  it('agrees with the float64 Cox–de Boor evaluation', () => {
    const xs = Array.from(values(30, 4), (v) => (v + 1) / 2);
    const t = knotVector(15, 3);
    expectAllClose(basis(xs, 15, 3).flat(), xs.flatMap((x) => Array.from(basisAt(x, t, 3))), 1e-5, 1e-6);
  });
  it('frees every intermediate', () => {
    const x = tf.tensor(grid);
    expectNoLeak(() => func('bspline').apply([x], {}));
    x.dispose();
  });
});

describe('spline arithmetic', () => {
  it('Gauss–Legendre with m points integrates x^k exactly for k < 2m', () => {
    for (const m of [2, 3, 4]) {
      const { nodes, weights } = gaussLegendre(m);
      for (let k = 0; k < 2 * m; k++) {
        const q = Array.from(nodes).reduce((a, x, i) => a + (weights[i] ?? 0) * x ** k, 0);
        expect(Math.abs(q - (k % 2 === 0 ? 2 / (k + 1) : 0))).toBeLessThan(1e-12);
      }
    }
  });
  it('second derivatives agree with finite differences of the basis', () => {
    const t = knotVector(6, 3);
    const h = 1e-4;
    for (const x of [0.07, 0.31, 0.5 + 0.013, 0.93]) {
      const fd = basisAt(x + h, t, 3).map((v, i) => (v - 2 * (basisAt(x, t, 3)[i] ?? 0) + (basisAt(x - h, t, 3)[i] ?? 0)) / (h * h));
      expectAllClose(basisDerivativeAt(x, t, 3, 2), fd, 1e-4, 1e-3);
    }
  });
});

const matVec = (m: Float64Array, v: readonly number[]): number[] =>
  v.map((_, i) => v.reduce((a, vj, j) => a + (m[i * v.length + j] ?? 0) * vj, 0));

describe('smoothnessMatrix', () => {
  it('integral Ω annihilates constants and linear functions (Greville coefficients)', () => {
    for (const [k, d] of [
      [15, 3],
      [8, 2],
      [6, 4],
    ] as const) {
      const n = k + d - 1;
      const omega = smoothnessMatrix(k, d, 'integral');
      const t = knotVector(k, d);
      const greville = Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let j = 1; j <= d; j++) s += t[i + j] ?? 0;
        return s / d;
      });
      expectAllClose(matVec(omega, Array<number>(n).fill(1)), Array<number>(n).fill(0), 0, 1e-10);
      expectAllClose(matVec(omega, greville), Array<number>(n).fill(0), 0, 1e-10);
    }
  });
  it('integral Ω matches a midpoint-rule integral of finite-difference second derivatives', () => {
    const [k, d] = [5, 3];
    const n = k + d - 1;
    const t = knotVector(k, d);
    const steps = 4000;
    const h = 1e-4;
    const ref = new Float64Array(n * n);
    for (let s = 0; s < steps; s++) {
      const x = (s + 0.5) / steps;
      const b0 = basisAt(x, t, d);
      const bp = basisAt(Math.min(x + h, 1), t, d);
      const bm = basisAt(Math.max(x - h, 0), t, d);
      const d2 = b0.map((v, i) => ((bp[i] ?? 0) - 2 * v + (bm[i] ?? 0)) / (h * h));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ref[i * n + j] = (ref[i * n + j] ?? 0) + ((d2[i] ?? 0) * (d2[j] ?? 0)) / steps;
    }
    let tr = 0;
    for (let i = 0; i < n; i++) tr += ref[i * n + i] ?? 0;
    // Midpoints straddling a knot see a kink in B'' (cubic B-splines), so the tolerance is loose-ish.
    expectAllClose(smoothnessMatrix(k, d, 'integral'), ref.map((v) => v / tr), 2e-3, 2e-3);
  });
  it('is symmetric, positive semi-definite on samples, with unit trace', () => {
    const omega = smoothnessMatrix(15, 3, 'integral');
    const n = 17;
    let tr = 0;
    for (let i = 0; i < n; i++) {
      tr += omega[i * n + i] ?? 0;
      for (let j = 0; j < n; j++) expect(omega[i * n + j]).toBeCloseTo(omega[j * n + i] ?? 0, 12);
    }
    expect(tr).toBeCloseTo(1, 12);
    for (let s = 0; s < 5; s++) {
      const v = Array.from(values(n, s + 1));
      expect(matVec(omega, v).reduce((a, x, i) => a + x * (v[i] ?? 0), 0)).toBeGreaterThan(-1e-12);
    }
  });
  it('differences: DᵀD of second differences over its trace', () => {
    // knots 2, degree 3: n = 4, D = [[1, −2, 1, 0], [0, 1, −2, 1]], trace(DᵀD) = 12.
    const dtd = [1, -2, 1, 0, -2, 5, -4, 1, 1, -4, 5, -2, 0, 1, -2, 1];
    expectAllClose(smoothnessMatrix(2, 3, 'differences'), dtd.map((v) => v / 12), 1e-12, 1e-14);
  });
});

describe('smoothness', () => {
  const beta = values(17, 6);
  it('is βᵀΩβ for [n] and [n, 1] coefficients', () => {
    for (const kind of ['integral', 'differences'] as const) {
      const omega = smoothnessMatrix(15, 3, kind);
      const expected = matVec(omega, Array.from(beta)).reduce((a, x, i) => a + x * (beta[i] ?? 0), 0);
      for (const shape of [[17], [17, 1]]) {
        const got = tf.tidy(() => func('smoothness').apply([tf.tensor(Float32Array.from(beta), shape)], { kind }).dataSync()[0]);
        expectAllClose([got ?? Number.NaN], [expected], 1e-5, 1e-7);
      }
    }
  });
  it('has a gradient matching finite differences', () => {
    for (const kind of ['integral', 'differences']) {
      expectGradMatches([17, 1], (b) => tf.mul(func('smoothness').apply([b], { kind }), 100), beta);
    }
  });
  it('checks its arguments against the coefficients', () => {
    expect(right(func('smoothness').infer([[17, 1]], {}))).toEqual([]);
    expect(leftMessage(func('smoothness').infer([[10, 1]], {}))).toBe(
      'smoothness with knots: 15, degree: 3 expects 17 coefficients, got [10, 1]',
    );
    expect(leftMessage(func('smoothness').infer([[15]], { degree: 1 }))).toContain('needs degree ≥ 2');
    expect(leftMessage(func('smoothness').infer([[17]], { kind: 'spline' }))).toContain('"integral", "differences"');
    expect(right(func('smoothness').infer([[15]], { degree: 1, kind: 'differences' }))).toEqual([]);
  });
  it('frees every intermediate', () => {
    const b = tf.tensor(Float32Array.from(beta));
    expectNoLeak(() => func('smoothness').apply([b], {}));
    b.dispose();
  });
});
