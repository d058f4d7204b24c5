/**
 * Ridge regression in closed form. Scaling (shared with programs/crossreg/ridge_path.xreg and
 * scikit-learn's `Ridge(alpha=λ, fit_intercept=False)`): minimize ‖y − Xw‖² + λ‖w‖², i.e.
 * mse + (λ / n)‖w‖² with n the training examples, so w = (XᵀX + λI)⁻¹Xᵀy.
 */
import { gram, mse, norm2, solveSPD, xtv, type Problem } from './linalg.js';
import { selectLowest, type Path } from './path.js';

export const ridgeFit = (train: Problem, lam: number, g: Float64Array = gram(train), b: Float64Array = xtv(train, train.y)): Float64Array => {
  const a = Float64Array.from(g);
  for (let j = 0; j < train.d; j++) a[j * train.d + j] = (a[j * train.d + j] ?? 0) + lam;
  const w = solveSPD(a, b, train.d);
  // XᵀX + λI is positive definite for λ > 0; a failure means λ is far below float64 resolution.
  return w ?? new Float64Array(train.d).fill(Number.NaN);
};

export const ridgePath = (train: Problem, reg: Problem, lams: readonly number[]): Path => {
  const g = gram(train);
  const b = xtv(train, train.y);
  return selectLowest(
    lams.map((lam) => {
      const w = ridgeFit(train, lam, g, b);
      return { lam, w, regMse: mse(reg, w), trainMse: mse(train, w), norm: norm2(w) };
    }),
  );
};
