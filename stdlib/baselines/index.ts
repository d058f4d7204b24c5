/** Float64 reference solutions for the cross-regularization experiments (never used by `xreg run`). */
export { gram, logspace, mse, norm1, norm2, predict, problem, residual, solveSPD, xtv, type Problem } from './linalg.js';
export { bestPoint, selectLowest, type Path, type PathPoint } from './path.js';
export { ridgeFit, ridgePath } from './ridge.js';
export { lassoFit, lassoPath, softThreshold, zeroSet, type LassoOptions } from './lasso.js';
export { roughness, splineFit, splinePath, splineProblem, type SplineBasis } from './spline.js';
