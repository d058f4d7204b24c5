/**
 * Issue 5's bars on shortened schedules, through the real runtime (`runProgram`), against the float64
 * baselines on the same splits. Only the methods that meet their bar in the full run are here
 * (docs/results.md): ridge (ρ·θ) and LASSO by cross-regularization, and the three path programs.
 * The paper's spline rule (spline.xreg) does not meet its bar on the program's data draw (its rest point
 * is not the cross-validated optimum: bench/crossreg/fixed-points.ts, spline-draws.ts), so no test claims
 * it does; the spline by the total derivative (spline_implicit.xreg, `through fit`) does, at 4500 of its
 * 6000 steps: reg MSE within 5% of the 1500-λ CV optimum, roughness and λ within 10%, log λ at rest;
 * and ridge by the total derivative (ridge_implicit.xreg) on the brief's 100 examples per split, where
 * the paper's ρ rule collapses: the full bars (2%, 5%) at 3000 of its 6000 steps.
 *
 * LASSO: lasso.xreg runs in full (2000 epochs take seconds): reg MSE within 1% of the path's best
 * (tighter than the bar's 3%), L1 norm within 10%, and the same zero set as the path's best, read at
 * 1% of the largest |w_j| (bench/crossreg/settings.ts).
 * Ridge, shortened: ridge_warm.xreg 6000 of its 12000 steps (phases 1500 + 4500): reg MSE within 3%,
 * ρ within 8% of the best ridge's norm (instead of 2% and 5%), and moving < 1% over its last 1000 steps.
 * Path programs: ridge_path.xreg on 25 of its 1000 λ; lasso_path.xreg on 8 of its 50 λ and 1000 of its
 * 2000 epochs (its last member also: exact zeros and the coordinate-descent coefficients); spline_cv.xreg in full (it takes seconds); the selected member is the closed form's best
 * or its neighbour, with reg MSE within 0.5% (1% for the LASSO path).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAllClose } from '../helpers/finite-diff.js';
import { LASSO_SCALE, LASSO_ZERO_THRESHOLD } from '../../bench/crossreg/settings.js';
import { finalParameter } from '../../bench/crossreg/final-params.js';
import { need, requireSplits } from '../../bench/crossreg/splits.js';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { SELECTED_DIR } from '../../runtime/checkpoint/store.js';
import { bestPoint, lassoPath, logspace, ridgePath, splinePath, splineProblem, zeroSet, type Path, type Problem } from '../../stdlib/baselines/index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'xreg-bars-'));

/** A program's text with literal replacements, written to the temporary folder. */
const variant = (name: string, edits: readonly [string, string][]): string => {
  let text = readFileSync(`programs/crossreg/${name}.xreg`, 'utf8').replace('"../../data/diabetes.csv"', JSON.stringify(path.resolve('data/diabetes.csv')));
  for (const [a, b] of edits) {
    expect(text.includes(a)).toBe(true);
    text = text.replace(a, b);
  }
  const file = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}.xreg`);
  writeFileSync(file, text);
  return file;
};

type Row = Readonly<Record<string, number>>;
const outOf = (file: string): string => path.join(tmp, path.basename(file, '.xreg'));

/** A parameter's value at the end of a completed run (its final checkpoint, or `sub`'s). */
const finalParam = (file: string, name: string, sub = ''): Promise<Float64Array> => finalParameter(outOf(file), file, name, sub);
const run = async (file: string, epochs?: number): Promise<{ rows: Row[]; selected: number | undefined }> => {
  const out = outOf(file);
  const code = await runProgram(
    { registry: standardLibrary, file, out, set: {}, checkpointEvery: 1e12, argv: ['bars.test'], ...(epochs !== undefined ? { epochs } : {}) },
    { info: () => undefined, error: () => undefined, renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n') },
  );
  expect(code).toBe(0);
  const rows = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l): Row => JSON.parse(l) as Row);
  const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { selected?: number };
  return { rows, selected: m.selected };
};

const splits = requireSplits;

/** The last report row of member `i`. */
const memberRow = (rows: Row[], i: number): Row | undefined => rows.filter((r) => r['member'] === i).at(-1);

const expectPathAgreement = (got: { rows: Row[]; selected: number | undefined }, base: Path, tol: number): void => {
  const b = bestPoint(base);
  const sel = got.selected;
  if (b === undefined || sel === undefined) throw new Error('no selection');
  expect(Math.abs(sel - base.best)).toBeLessThanOrEqual(1);
  const gen = memberRow(got.rows, sel)?.['gen'] ?? Number.NaN;
  expect(Math.abs(gen - b.regMse) / b.regMse).toBeLessThan(tol);
};

describe('cross-regularization bars (shortened schedules)', () => {
  it('LASSO by gradient decomposition (full 2000 epochs, seconds): reg MSE within 1% of the path best, L1 norm within 10%, same zeros', async () => {
    const file = variant('lasso', []);
    const got = await run(file);
    const s = await splits(file);
    const b = bestPoint(lassoPath(need(s, 'train'), need(s, 'reg'), logspace(-2.5, 0, 50).map((v) => v * LASSO_SCALE)));
    const last = got.rows.at(-1);
    if (b === undefined || last === undefined) throw new Error('no result');
    expect(((last['gen'] ?? Number.NaN) - b.regMse) / b.regMse).toBeLessThan(0.01);
    expect(Math.abs((last['l1_norm'] ?? Number.NaN) - b.norm) / b.norm).toBeLessThan(0.1);
    // The same zeroed coefficients as the path's best, read at 1% of the largest |w_j|.
    const w = await finalParam(file, 'w');
    expect(zeroSet(w, LASSO_ZERO_THRESHOLD * Math.max(...Array.from(w, Math.abs)))).toEqual(zeroSet(b.w, 0));
    expect(zeroSet(b.w, 0).length).toBeGreaterThan(0);
  }, 60_000);

  it('ridge by cross-regularization (ρ·θ): at rest by step 6000 of 12000, reg MSE within 3% of the best ridge, ρ within 8% of its norm', async () => {
    const file = variant('ridge_warm', [
      ['phase warm for 3000 steps', 'phase warm for 1500 steps'],
      ['phase cross for 9000 steps', 'phase cross for 4500 steps'],
      ['run 12000 steps', 'run 6000 steps'],
    ]);
    const got = await run(file);
    const s = await splits(file);
    const b = bestPoint(ridgePath(need(s, 'train'), need(s, 'reg'), logspace(-4, 2, 600)));
    const last = got.rows.at(-1);
    if (b === undefined || last === undefined) throw new Error('no result');
    expect(((last['gen'] ?? Number.NaN) - b.regMse) / b.regMse).toBeLessThan(0.03);
    expect(Math.abs((last['rho'] ?? Number.NaN) - b.norm) / b.norm).toBeLessThan(0.08);
    // At rest, not passing through: with 100 examples per split ρ is within 8% at step 6000 too, but
    // on its way to 0 (12% lower 1000 steps later).
    const before = got.rows.find((r) => r['step'] === 5000)?.['rho'] ?? Number.NaN;
    expect(Math.abs((last['rho'] ?? Number.NaN) - before) / before).toBeLessThan(0.01);
  }, 90_000);

  it('spline by the total derivative (through fit): at rest by step 4500 of 6000, reg MSE within 5% of the cross-validated optimum, roughness within 10%', async () => {
    const file = variant('spline_implicit', [['run 6000 steps', 'run 4500 steps']]);
    const got = await run(file);
    const s = await splits(file);
    const b = { knots: 15, degree: 3, kind: 'integral' as const };
    const sp = (k: string): Problem => splineProblem(need(s, k).x, need(s, k).y, b);
    const cv = bestPoint(splinePath(sp('train'), sp('reg'), logspace(-8, 2, 1500), b));
    const last = got.rows.at(-1);
    if (cv === undefined || last === undefined) throw new Error('no result');
    expect(((last['gen'] ?? Number.NaN) - cv.regMse) / cv.regMse).toBeLessThan(0.05);
    expect(Math.abs((last['rough'] ?? Number.NaN) - cv.norm) / cv.norm).toBeLessThan(0.1);
    expect(Math.abs(Math.exp(last['log_lam'] ?? Number.NaN) - cv.lam) / cv.lam).toBeLessThan(0.1);
    const before = got.rows.find((r) => r['step'] === 4000)?.['log_lam'] ?? Number.NaN;
    expect(Math.abs((last['log_lam'] ?? Number.NaN) - before)).toBeLessThan(0.05);
  }, 180_000);

  it('ridge by the total derivative (through fit) on 100 examples per split: reg MSE within 2% of the best ridge, ‖w‖ within 5%, at 3000 of 6000 steps', async () => {
    const file = variant('ridge_implicit', [['run 6000 steps', 'run 3000 steps']]);
    const got = await run(file);
    const s = await splits(file);
    const b = bestPoint(ridgePath(need(s, 'train'), need(s, 'reg'), logspace(-3, 1, 400)));
    const last = got.rows.at(-1);
    if (b === undefined || last === undefined) throw new Error('no result');
    expect(((last['gen'] ?? Number.NaN) - b.regMse) / b.regMse).toBeLessThan(0.02);
    expect(Math.abs((last['norm_w'] ?? Number.NaN) - b.norm) / b.norm).toBeLessThan(0.05);
  }, 90_000);

  it('ridge path program (newton): selects the closed form’s λ on a 25-λ grid', async () => {
    const file = variant('ridge_path', [['logspace(-3, 1, 1000)', 'logspace(-3, 1, 25)']]);
    const got = await run(file);
    const s = await splits(file);
    expectPathAgreement(got, ridgePath(need(s, 'train'), need(s, 'reg'), logspace(-3, 1, 25)), 0.005);
  }, 60_000);

  it('spline CV program (newton, full): selects the closed form’s λ', async () => {
    const file = variant('spline_cv', []);
    const got = await run(file);
    const s = await splits(file);
    const b = { knots: 15, degree: 3, kind: 'integral' as const };
    const sp = (k: string): Problem => splineProblem(need(s, k).x, need(s, k).y, b);
    expectPathAgreement(got, splinePath(sp('train'), sp('reg'), logspace(-6, 0, 30), b), 0.005);
  }, 60_000);

  it('LASSO path program (prox_sgd, l1 bound per member): selects the coordinate-descent λ on an 8-λ grid at 1000 epochs, exact zeros', async () => {
    const file = variant('lasso_path', [['logspace(-2.5, 0, 50)', 'logspace(-2.5, 0, 8)']]);
    const got = await run(file, 1000);
    const s = await splits(file);
    const base = lassoPath(need(s, 'train'), need(s, 'reg'), logspace(-2.5, 0, 8).map((v) => v * LASSO_SCALE));
    expectPathAgreement(got, base, 0.01);
    // prox_sgd lands on exact zeros: the last member (λ = 1, the final checkpoint) has the
    // coordinate-descent solution's zero set at threshold 0, and its coefficients.
    const w = await finalParam(file, 'w');
    const cd = base.points.at(-1)?.w ?? new Float64Array();
    expect(zeroSet(w, 0)).toEqual(zeroSet(cd, 0));
    expect(zeroSet(cd, 0).length).toBeGreaterThan(2);
    expectAllClose(Array.from(w), Array.from(cd), 1e-3, 1e-2);
    // The selected member's parameters (kept in OUT/selected): the best λ's zero set and coefficients.
    const ws = await finalParam(file, 'w', SELECTED_DIR);
    const best = bestPoint(base)?.w ?? new Float64Array();
    expect(zeroSet(ws, 0)).toEqual(zeroSet(best, 0));
    expectAllClose(Array.from(ws), Array.from(best), 1e-3, 1e-2);
  }, 60_000);
});
