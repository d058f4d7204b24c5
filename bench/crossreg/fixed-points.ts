/**
 * Where can each reading of cross-regularization come to rest, compared with the cross-validated
 * optimum? Along the exact float64 path β(λ) (training fit for each penalty), with g = ∇ reg-MSE(β):
 *
 *   direction pair (training ⊥ Ωβ, regularization along Ωβ; lasso/spline.xreg):  rest where gᵀΩβ = 0
 *   scale ρ·θ (β = ρθ, θ on the Ω-sphere θᵀΩθ = 1; ridge.xreg for Ω = I):       rest where gᵀβ = 0
 *   cross-validation (the total derivative along the path):                    rest where d reg-MSE(β(λ))/dλ = 0
 *
 * For the direction pair: the regularization step changes the level c = βᵀΩβ by 2βᵀΩΔβ ∝ −gᵀΩβ,
 * and the training rule then returns β to the path at the new level, so the level drifts until
 * gᵀΩβ = 0 — the partial derivative along Ωβ, not the total derivative along the path.
 *   npx tsx bench/crossreg/fixed-points.ts [--ridge-seeds 1,2,3]   (other data draws of ridge_path.xreg)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { logspace, ridgePath, splinePath, splineProblem, type Problem } from '../../stdlib/baselines/index.js';
import { restPoints, type RestPoint } from './rest-points.js';
import { smoothnessMatrix } from '../../stdlib/functions/spline-math.js';
import { need, requireSplits } from './splits.js';

const print = (title: string, rs: RestPoint[]): void => {
  console.log(`\n${title}\n| reading | λ at rest | norm there | reg MSE there |\n| --- | --- | --- | --- |`);
  for (const r of rs) console.log(`| ${r.reading} | ${r.lam.toPrecision(4)} | ${r.norm.toPrecision(4)} | ${r.regMse.toPrecision(5)} |`);
};

const main = async (): Promise<void> => {
  const rs = await requireSplits('programs/crossreg/ridge_path.xreg');
  const train = need(rs, 'train');
  const reg = need(rs, 'reg');
  const eye = new Float64Array(train.d * train.d).map((_, k) => (k % (train.d + 1) === 0 ? 1 : 0));
  print('ridge (Ω = I; norm = ‖w‖₂)', restPoints(ridgePath(train, reg, logspace(-4, 4, 2000)), reg, eye));
  const seedsArg = process.argv.indexOf('--ridge-seeds');
  const seeds = seedsArg >= 0 ? (process.argv[seedsArg + 1] ?? '').split(',').map(Number) : [];
  const dir = mkdtempSync(path.join(tmpdir(), 'xreg-fp-'));
  for (const seed of seeds) {
    const file = path.join(dir, `ridge_${seed}.xreg`);
    writeFileSync(file, readFileSync('programs/crossreg/ridge_path.xreg', 'utf8').replace(/seed: \d+\)/, `seed: ${seed})`));
    const s = await requireSplits(file);
    const tr = need(s, 'train');
    const rg = need(s, 'reg');
    print(`ridge, data seed ${seed}`, restPoints(ridgePath(tr, rg, logspace(-4, 4, 2000)), rg, eye));
  }
  const ss = await requireSplits('programs/crossreg/spline.xreg');
  for (const kind of ['integral', 'differences'] as const) {
    const b = { knots: 15, degree: 3, kind };
    const sp = (k: string): Problem => splineProblem(need(ss, k).x, need(ss, k).y, b);
    const omega = smoothnessMatrix(15, 3, kind);
    print(`spline, Ω ${kind} (norm = βᵀΩβ)`, restPoints(splinePath(sp('train'), sp('reg'), logspace(-8, 2, 2000), b), sp('reg'), omega));
  }
};

void main();
