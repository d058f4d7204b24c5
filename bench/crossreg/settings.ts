/**
 * Settings the programs and their baselines must share (kept in one place; the .xreg files repeat
 * the literal values, and test/crossreg checks they agree).
 *
 * LASSO_SCALE: the paper's λ grid [10^-2.5, 1] is on scikit-learn's `load_diabetes` scale, whose
 * feature columns have unit L2 norm; ours are standardized to unit variance over the 442 rows, i.e.
 * √442 times larger, so the same penalty reads λ·√442 on our coefficients.
 */
export const LASSO_SCALE = Math.sqrt(442);
/**
 * SGD never lands on exact zeros (it oscillates around them with amplitude ≈ lr·|g|/(1 − momentum)),
 * so a coefficient reads as zero below this fraction of the largest |w_j|.
 */
export const LASSO_ZERO_THRESHOLD = 0.01;
