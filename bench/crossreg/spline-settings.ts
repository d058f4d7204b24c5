/**
 * Does any reading of the spline setting let the direction-pair rule rest at the cross-validated
 * optimum? Over noise levels, regularization-set sizes and with or without gaps in the
 * regularization data (the training data keeps the paper's 20 points with gaps), for 10 data draws
 * each: the reg-MSE gap of the rule's lowest stable rest point (the one a small start reaches)
 * from the best of the exact float64 path. Float64 analysis only; spline-draws.ts runs the program.
 *   npx tsx bench/crossreg/spline-settings.ts
 */
import { logspace, splinePath, splineProblem } from '../../stdlib/baselines/index.js';
import { smoothnessMatrix } from '../../stdlib/functions/spline-math.js';
import { generateSpline } from '../../stdlib/data/spline_samples.js';
import type { Dataset } from '../../stdlib/types.js';
import { restPoints } from './rest-points.js';
const b = { knots: 15, degree: 3, kind: 'integral' as const };
const omega = smoothnessMatrix(15, 3, 'integral');
for (const sigma of [0.1, 0.3]) for (const regGaps of [true, false]) for (const nreg of [20, 100]) {
  const out: string[] = [];
  let ok = 0;
  for (let seed = 0; seed < 10; seed++) {
    const tr = generateSpline({ n: 20, sigma, seed, gaps: true });
    const rg = generateSpline({ n: nreg, sigma, seed: seed + 1000, gaps: regGaps });
    const P = (d: Dataset) => splineProblem(d.fields['x']?.data ?? [], d.fields['y']?.data ?? [], b);
    const train = P(tr), reg = P(rg);
    const p = splinePath(train, reg, logspace(-8, 2, 1000), b);
    const best = p.points[p.best];
    if (best === undefined) continue;
    const rs = restPoints(p, reg, omega).filter((r) => r.reading.startsWith('direction') && r.reading.endsWith('stable'));
    // the lowest stable rest (reached from a small start)
    const low = rs.reduce<(typeof rs)[number] | undefined>((a, r) => (a === undefined || r.norm < a.norm ? r : a), undefined);
    const g = low ? (low.regMse - best.regMse) / best.regMse : NaN;
    if (g < 0.05) ok++;
    out.push(`${(g * 100).toFixed(0)}%`);
  }
  console.log(`σ=${sigma} reg gaps=${regGaps} nreg=${nreg}: within 5% ${ok}/10 :: ${out.join(' ')}`);
}
