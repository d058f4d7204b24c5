/**
 * The LASSO by cyclic coordinate descent with warm starts along the path. Scaling (shared with
 * programs/crossreg/lasso_path.xreg and scikit-learn's `Lasso(alpha=λ, fit_intercept=False)`):
 * minimize ‖y − Xw‖² / (2n) + λ‖w‖₁, half of mse + 2λ‖w‖₁.
 */
import { mse, norm1, type Problem } from './linalg.js';
import { selectLowest, type Path } from './path.js';

export const softThreshold = (z: number, t: number): number => (z > t ? z - t : z < -t ? z + t : 0);

export interface LassoOptions {
  /** Stop when no coefficient moved more than this in a sweep over all of them. */
  readonly tol: number;
  readonly maxSweeps: number;
}

const defaults: LassoOptions = { tol: 1e-12, maxSweeps: 100_000 };

export const lassoFit = (p: Problem, lam: number, start?: Float64Array, o: LassoOptions = defaults): Float64Array => {
  const { n, d, x, y } = p;
  const w = start !== undefined ? Float64Array.from(start) : new Float64Array(d);
  const r = Float64Array.from(y);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) r[i] = (r[i] ?? 0) - (x[i * d + j] ?? 0) * (w[j] ?? 0);
  const colSq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) colSq[j] = (colSq[j] ?? 0) + (x[i * d + j] ?? 0) ** 2 / n;
  for (let sweep = 0; sweep < o.maxSweeps; sweep++) {
    let moved = 0;
    for (let j = 0; j < d; j++) {
      const cj = colSq[j] ?? 0;
      if (cj === 0) continue;
      const old = w[j] ?? 0;
      let rho = 0;
      for (let i = 0; i < n; i++) rho += (x[i * d + j] ?? 0) * (r[i] ?? 0);
      rho = rho / n + cj * old;
      const next = softThreshold(rho, lam) / cj;
      if (next !== old) {
        const delta = next - old;
        for (let i = 0; i < n; i++) r[i] = (r[i] ?? 0) - (x[i * d + j] ?? 0) * delta;
        w[j] = next;
        moved = Math.max(moved, Math.abs(delta));
      }
    }
    if (moved <= o.tol) break;
  }
  return w;
};

/** The path from the largest penalty down, each fit warm-started from the previous one. */
export const lassoPath = (train: Problem, reg: Problem, lams: readonly number[], o: LassoOptions = defaults): Path => {
  const order = lams.map((lam, i) => ({ lam, i })).sort((a, b) => b.lam - a.lam);
  const fits = new Array<Float64Array>(lams.length);
  let prev: Float64Array | undefined;
  for (const { lam, i } of order) {
    prev = lassoFit(train, lam, prev, o);
    fits[i] = prev;
  }
  return selectLowest(
    lams.map((lam, i) => {
      const w = fits[i] ?? new Float64Array(train.d);
      return { lam, w, regMse: mse(reg, w), trainMse: mse(train, w), norm: norm1(w) };
    }),
  );
};

/** Indices of coefficients whose magnitude is at most `threshold` (the zeroed set). */
export const zeroSet = (w: ArrayLike<number>, threshold: number): number[] => {
  const out: number[] = [];
  for (let j = 0; j < w.length; j++) if (Math.abs(w[j] ?? 0) <= threshold) out.push(j);
  return out;
};
