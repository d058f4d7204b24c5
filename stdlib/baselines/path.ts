/** A regularization path: one fit per penalty, scored on the regularization split, and its best. */
export interface PathPoint {
  readonly lam: number;
  readonly w: Float64Array;
  /** MSE on the regularization split (the selection criterion). */
  readonly regMse: number;
  /** MSE on the training split. */
  readonly trainMse: number;
  /** The norm the method controls (‖w‖₂ for ridge, ‖w‖₁ for the LASSO, βᵀΩβ for the spline). */
  readonly norm: number;
}

export interface Path {
  readonly points: readonly PathPoint[];
  /** Index of the point with the lowest regularization-set MSE (the first on ties). */
  readonly best: number;
}

export const selectLowest = (points: readonly PathPoint[]): Path => {
  let best = 0;
  points.forEach((p, i) => {
    if (p.regMse < (points[best]?.regMse ?? Number.POSITIVE_INFINITY)) best = i;
  });
  return { points, best };
};

export const bestPoint = (p: Path): PathPoint | undefined => p.points[p.best];
