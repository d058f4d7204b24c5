/**
 * Where can ρ stop? With θ at the constrained least-squares direction for norm c (the ridge fit of
 * that norm, divided by c), the regularization loss's own best scale of that direction is
 * s_best = (X_reg θ)ᵀy_reg / ‖X_reg θ‖². The ρ rule of ridge.xreg is at rest only where s_best = c.
 *   npx tsx bench/crossreg/ridge-fixed-point.ts
 * prints s_best / c along the ridge path: below 1 everywhere means ρ keeps shrinking past the best ridge norm.
 */
import { logspace, predict, ridgePath } from '../../stdlib/baselines/index.js';
import { need, requireSplits } from './splits.js';

const main = async (): Promise<void> => {
  const s = await requireSplits('programs/crossreg/ridge_path.xreg');
  const train = need(s, 'train');
  const reg = need(s, 'reg');
  const path = ridgePath(train, reg, logspace(-4, 3, 400));
  console.log('λ        ‖w‖      train MSE  reg MSE   s_best/c');
  path.points.forEach((p, i) => {
    if (i % 20 !== 0 && i !== path.best) return;
    const f = predict(reg, p.w);
    let num = 0;
    let den = 0;
    f.forEach((v, k) => {
      num += v * (reg.y[k] ?? 0);
      den += v * v;
    });
    console.log(`${p.lam.toExponential(2)} ${p.norm.toFixed(3).padStart(8)} ${p.trainMse.toFixed(4).padStart(9)} ${p.regMse.toFixed(4).padStart(9)} ${(num / den).toFixed(3).padStart(7)}${i === path.best ? '  ← best ridge' : ''}`);
  });
};

void main();
