/**
 * The penalized least-squares smoothing spline with the program's basis and Ω (`basisAt` on the
 * clamped uniform knots, `smoothnessMatrix`, both float64). Scaling (shared with
 * programs/crossreg/spline_cv.xreg): minimize mse(Bβ, y) + λ βᵀΩβ, so (BᵀB + nλΩ)β = Bᵀy.
 */
import { basisAt, basisCount, knotVector, smoothnessMatrix } from '../functions/spline-math.js';
import { gram, mse, solveSPD, xtv, type Problem } from './linalg.js';
import { selectLowest, type Path } from './path.js';

export interface SplineBasis {
  readonly knots: number;
  readonly degree: number;
  readonly kind: 'integral' | 'differences';
}

/** The design matrix B(x) as a Problem (x clamped to [0, 1], as the tensor basis does). */
export const splineProblem = (xs: ArrayLike<number>, ys: ArrayLike<number>, b: SplineBasis): Problem => {
  const t = knotVector(b.knots, b.degree);
  const d = basisCount(b.knots, b.degree);
  const n = ys.length;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) x.set(basisAt(Math.min(1, Math.max(0, xs[i] ?? 0)), t, b.degree).subarray(0, d), i * d);
  return { n, d, x, y: Float64Array.from(ys) };
};

export const roughness = (beta: ArrayLike<number>, omega: Float64Array): number => {
  const d = beta.length;
  let s = 0;
  for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) s += (beta[a] ?? 0) * (omega[a * d + c] ?? 0) * (beta[c] ?? 0);
  return s;
};

export const splineFit = (train: Problem, lam: number, b: SplineBasis): Float64Array => {
  const omega = smoothnessMatrix(b.knots, b.degree, b.kind);
  const a = gram(train);
  for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) + train.n * lam * (omega[i] ?? 0);
  return solveSPD(a, xtv(train, train.y), train.d) ?? new Float64Array(train.d).fill(Number.NaN);
};

export const splinePath = (train: Problem, reg: Problem, lams: readonly number[], b: SplineBasis): Path => {
  const omega = smoothnessMatrix(b.knots, b.degree, b.kind);
  return selectLowest(
    lams.map((lam) => {
      const w = splineFit(train, lam, b);
      return { lam, w, regMse: mse(reg, w), trainMse: mse(train, w), norm: roughness(w, omega) };
    }),
  );
};
