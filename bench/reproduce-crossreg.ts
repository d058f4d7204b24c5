/**
 * Runs the three cross-regularization programs and their path baselines through the real runtime
 * (`runProgram`), computes the float64 baselines (stdlib/baselines) on the same splits, prints one
 * table and writes path.json / spline.json / references.json into the run folders for `xreg plot`.
 *
 *   npx tsx bench/reproduce-crossreg.ts [OUT=runs/crossreg] [--skip-paths]
 *
 * --skip-paths runs only the three cross-regularization programs (the float64 paths still run).
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as t from 'io-ts';
import { runProgram } from '../runtime/run.js';
import { standardLibrary } from '../stdlib/registry.js';
import { SELECTED_DIR } from '../runtime/checkpoint/store.js';
import { MetricsRow, type CoefficientsFile, type PathFile, type ReferencesFile, type SplineFile } from '../runtime/plot/formats.js';
import { bestPoint, lassoPath, logspace, mse, norm1, norm2, ridgePath, roughness, splinePath, splineProblem, zeroSet, type Path, type Problem } from '../stdlib/baselines/index.js';
import { smoothnessMatrix } from '../stdlib/functions/spline-math.js';
import { LASSO_SCALE, LASSO_ZERO_THRESHOLD } from './crossreg/settings.js';
import { finalParameter } from './crossreg/final-params.js';
import { need, requireSplits } from './crossreg/splits.js';

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--')) ?? 'runs/crossreg';
const skipPaths = args.includes('--skip-paths');
const dir = (p: string): string => path.join(root, p);
const SPLINE = { knots: 15, degree: 3, kind: 'integral' as const };
/** The columns of data/diabetes.csv before the target (scikit-learn's names). */
const DIABETES_FEATURES = readFileSync('data/diabetes.csv', 'utf8').split('\n')[0]?.split(',').slice(0, 10) ?? [];

const run = async (name: string): Promise<number> => {
  const t0 = Date.now();
  const code = await runProgram(
    { registry: standardLibrary, file: `programs/crossreg/${name}.xreg`, out: dir(name), set: {}, checkpointEvery: 1e12, argv: ['reproduce-crossreg', name] },
    { info: () => undefined, error: (l) => console.error(l), renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n') },
  );
  if (code !== 0) throw new Error(`${name} failed (${code})`);
  return (Date.now() - t0) / 1000;
};

const rows = (name: string): MetricsRow[] =>
  readFileSync(path.join(dir(name), 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      const r = MetricsRow.decode(JSON.parse(l));
      return E.isRight(r) ? [r.right] : [];
    });
const num = (r: MetricsRow | undefined, k: string): number => {
  const v = r?.[k];
  return typeof v === 'number' ? v : Number.NaN;
};
const last = (name: string): MetricsRow | undefined => rows(name).at(-1);

/** The final parameters of a run (its final checkpoint), or of a sweep's selected member (`sub` = SELECTED_DIR). */
const finalParam = (name: string, param: string, sub = ''): Promise<Float64Array> => finalParameter(dir(name), `programs/crossreg/${name}.xreg`, param, sub);

/** Last report row of each sweep member (members report in order; `member` tags them when present). */
const memberFinals = (name: string): MetricsRow[] => {
  const byMember = new Map<number, MetricsRow>();
  for (const r of rows(name)) byMember.set(typeof r.member === 'number' ? r.member : 0, r);
  return [...byMember.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
};
const Manifest = t.partial({ selected: t.number, seconds: t.number });
const manifest = (name: string): t.TypeOf<typeof Manifest> => {
  const m = Manifest.decode(JSON.parse(readFileSync(path.join(dir(name), 'manifest.json'), 'utf8')));
  return E.isRight(m) ? m.right : {};
};

const splits = (name: string): Promise<Record<string, Problem>> => requireSplits(`programs/crossreg/${name}.xreg`);

const pathFile = (p: Path, test: Problem | undefined, norm: string, markers: PathFile['markers']): PathFile => ({
  norm,
  points: p.points.map((q) => ({ lambda: q.lam, norm: q.norm, reg_loss: q.regMse, ...(test !== undefined ? { test_loss: mse(test, q.w) } : {}) })),
  ...(markers !== undefined ? { markers } : {}),
});
const write = (name: string, file: string, v: unknown): void => writeFileSync(path.join(dir(name), file), JSON.stringify(v, null, 1));

interface Row {
  readonly method: string;
  readonly reg: number;
  readonly test: number;
  readonly norm: number;
  readonly baseLam: number;
  readonly baseNorm: number;
  readonly baseReg: number;
  readonly extra: string;
}

const main = async (): Promise<void> => {
  const table: Row[] = [];
  const timing: string[] = [];
  const gap = (a: number, b: number): string => `${(((a - b) / b) * 100).toFixed(2)}%`;

  // Ridge.
  timing.push(`ridge ${await run('ridge_warm')} s`);
  const rs = await splits('ridge_warm');
  const rPath = ridgePath(need(rs, 'train'), need(rs, 'reg'), logspace(-3, 1, 1000));
  const rb = bestPoint(rPath);
  const rl = last('ridge_warm');
  if (rb === undefined) throw new Error('empty ridge path');
  const theta = await finalParam('ridge_warm', 'theta');
  const rho = (await finalParam('ridge_warm', 'rho'))[0] ?? Number.NaN;
  const wx = theta.map((v) => v * rho);
  const diff = norm2(wx.map((v, i) => v - (rb.w[i] ?? 0)));
  const cos = wx.reduce((a, v, i) => a + v * (rb.w[i] ?? 0), 0) / (norm2(wx) * norm2(rb.w));
  table.push({
    method: 'ridge: cross-reg ρ·θ', reg: num(rl, 'gen'), test: num(rl, 'test_mse'), norm: Math.abs(num(rl, 'rho')), baseLam: rb.lam, baseNorm: rb.norm, baseReg: rb.regMse,
    extra: `coefficients ρθ against the best ridge's: ‖Δw‖/‖w‖ = ${(diff / rb.norm).toPrecision(3)}, cosine ${cos.toFixed(5)}`,
  });
  write('ridge_warm', 'references.json', [
    { series: 'rho', value: rb.norm, label: `best ridge ‖w‖ (λ = ${rb.lam.toPrecision(3)})` },
    { series: 'gen', value: rb.regMse, label: 'best ridge reg-set MSE' },
  ] satisfies ReferencesFile);
  write('ridge_warm', 'coefficients.json', {
    title: 'Coefficients: ρ·θ against the best ridge',
    subtitle: `‖Δw‖/‖w‖ = ${(diff / rb.norm).toPrecision(3)}; best ridge λ = ${rb.lam.toPrecision(3)} of 1000 on the regularization split`,
    series: [
      { name: 'cross-regularization ρ·θ', values: Array.from(wx) },
      { name: 'best ridge (closed form)', values: Array.from(rb.w) },
    ],
  } satisfies CoefficientsFile);
  write('ridge_warm', 'path.json', pathFile(rPath, rs['test'], 'l2', [{ norm: Math.abs(num(rl, 'rho')), reg_loss: num(rl, 'gen'), label: 'cross-regularization' }]));
  // Ridge by the total derivative on the brief's 300 examples (its own data, so its own path).
  timing.push(`ridge_implicit ${await run('ridge_implicit')} s`);
  const ri = await splits('ridge_implicit');
  const riPath = ridgePath(need(ri, 'train'), need(ri, 'reg'), logspace(-3, 1, 1000));
  const rib = bestPoint(riPath);
  const ril = last('ridge_implicit');
  if (rib === undefined) throw new Error('empty ridge path');
  table.push({
    method: 'ridge: total derivative (through fit), 100 per split', reg: num(ril, 'gen'), test: num(ril, 'test_mse'), norm: num(ril, 'norm_w'), baseLam: rib.lam, baseNorm: rib.norm, baseReg: rib.regMse,
    extra: `learned λ ${Math.exp(num(ril, 'log_lam')).toPrecision(4)}; the paper's ρ·θ rule on these data: ridge.xreg (ρ collapses)`,
  });
  write('ridge_implicit', 'references.json', [
    { series: 'norm_w', value: rib.norm, label: `best ridge ‖w‖ (λ = ${rib.lam.toPrecision(3)})` },
    { series: 'gen', value: rib.regMse, label: 'best ridge reg-set MSE' },
    { series: 'log_lam', value: Math.log(rib.lam), label: 'best ridge log λ' },
  ] satisfies ReferencesFile);
  write('ridge_implicit', 'path.json', pathFile(riPath, ri['test'], 'l2', [{ norm: num(ril, 'norm_w'), reg_loss: num(ril, 'gen'), label: 'total derivative' }]));
  if (!skipPaths) {
    timing.push(`ridge_path ${await run('ridge_path')} s`);
    const m = manifest('ridge_path');
    const sel = memberFinals('ridge_path')[m.selected ?? -1];
    table.push({ method: 'ridge: path program (selected)', reg: num(sel, 'gen'), test: num(sel, 'test_mse'), norm: num(sel, 'norm_w'), baseLam: rb.lam, baseNorm: rb.norm, baseReg: rb.regMse, extra: `selected #${m.selected}` });
    write('ridge_path', 'path.json', pathFile(rPath, rs['test'], 'l2', undefined));
  }

  // LASSO.
  timing.push(`lasso ${await run('lasso')} s`);
  const ls = await splits('lasso');
  const lPath = lassoPath(need(ls, 'train'), need(ls, 'reg'), logspace(-2.5, 0, 50).map((v) => v * LASSO_SCALE));
  const lb = bestPoint(lPath);
  if (lb === undefined) throw new Error('empty LASSO path');
  const w = await finalParam('lasso', 'w');
  const zx = zeroSet(w, LASSO_ZERO_THRESHOLD * Math.max(...Array.from(w, Math.abs)));
  const zb = zeroSet(lb.w, 0);
  const ll = last('lasso');
  table.push({
    method: 'LASSO: cross-reg (grad. decomposition)', reg: mse(need(ls, 'reg'), w), test: Number.NaN, norm: norm1(w), baseLam: lb.lam, baseNorm: lb.norm, baseReg: lb.regMse,
    extra: `zeros ours [${zx.join(',')}] path [${zb.join(',')}]; w = ${Array.from(w).map((v) => v.toFixed(2)).join(' ')}; logged gen ${num(ll, 'gen').toFixed(2)}`,
  });
  write('lasso', 'coefficients.json', {
    title: 'Coefficients: cross-regularized LASSO against the best of the path',
    subtitle: `zeros (below 1% of max |w|): ours {${zx.join(', ')}}, path {${zb.join(', ')}}`,
    labels: DIABETES_FEATURES,
    series: [
      { name: 'cross-regularization', values: Array.from(w) },
      { name: `best LASSO (λ = ${lb.lam.toPrecision(3)})`, values: Array.from(lb.w) },
    ],
  } satisfies CoefficientsFile);
  write('lasso', 'path.json', pathFile(lPath, undefined, 'l1', [{ norm: norm1(w), reg_loss: mse(need(ls, 'reg'), w), label: 'cross-regularization' }]));
  if (!skipPaths) {
    timing.push(`lasso_path ${await run('lasso_path')} s`);
    const m = manifest('lasso_path');
    const sel = memberFinals('lasso_path')[m.selected ?? -1];
    const ws = await finalParam('lasso_path', 'w', SELECTED_DIR);
    table.push({
      method: 'LASSO: path program (selected)', reg: num(sel, 'gen'), test: Number.NaN, norm: num(sel, 'l1_norm'), baseLam: lb.lam, baseNorm: lb.norm, baseReg: lb.regMse,
      extra: `selected #${m.selected}; exact zeros [${zeroSet(ws, 0).join(',')}] (coordinate descent [${zb.join(',')}]); max |Δw| from coordinate descent ${Math.max(...Array.from(ws, (v, i) => Math.abs(v - (lb.w[i] ?? 0)))).toExponential(2)}`,
    });
    write('lasso_path', 'path.json', pathFile(lPath, undefined, 'l1', undefined));
  }

  // Spline.
  timing.push(`spline ${await run('spline')} s`);
  const ss = await splits('spline');
  const sp = (k: string): Problem => splineProblem(need(ss, k).x, need(ss, k).y, SPLINE);
  const sPath = splinePath(sp('train'), sp('reg'), logspace(-6, 0, 30), SPLINE);
  const fine = splinePath(sp('train'), sp('reg'), logspace(-6, 0, 600), SPLINE);
  const sb = bestPoint(sPath);
  const sf = bestPoint(fine);
  if (sb === undefined || sf === undefined) throw new Error('empty spline path');
  const beta = await finalParam('spline', 'beta');
  const omega = smoothnessMatrix(SPLINE.knots, SPLINE.degree, SPLINE.kind);
  table.push({
    method: 'spline: cross-reg smoothness', reg: mse(sp('reg'), beta), test: mse(sp('test'), beta), norm: roughness(beta, omega), baseLam: sb.lam, baseNorm: sb.norm, baseReg: sb.regMse,
    extra: `600-λ grid best: λ ${sf.lam.toPrecision(3)}, reg ${sf.regMse.toPrecision(4)}, βᵀΩβ ${sf.norm.toPrecision(3)}`,
  });
  // The same spline by the total derivative (`through fit`), against the same CV optimum.
  timing.push(`spline_implicit ${await run('spline_implicit')} s`);
  const betaI = await finalParam('spline_implicit', 'beta');
  const lamI = Math.exp((await finalParam('spline_implicit', 'log_lam'))[0] ?? Number.NaN);
  table.push({
    method: 'spline: total derivative (through fit)', reg: mse(sp('reg'), betaI), test: mse(sp('test'), betaI), norm: roughness(betaI, omega), baseLam: sb.lam, baseNorm: sb.norm, baseReg: sb.regMse,
    extra: `learned λ ${lamI.toPrecision(4)} (600-λ grid best ${sf.lam.toPrecision(4)}); gaps to the 600-λ best: reg ${(((mse(sp('reg'), betaI) - sf.regMse) / sf.regMse) * 100).toFixed(2)}%, βᵀΩβ ${(((roughness(betaI, omega) - sf.norm) / sf.norm) * 100).toFixed(2)}%`,
  });
  write('spline_implicit', 'references.json', [
    { series: 'rough', value: sf.norm, label: 'cross-validated βᵀΩβ' },
    { series: 'gen', value: sf.regMse, label: 'cross-validated reg-set MSE' },
    { series: 'log_lam', value: Math.log(sf.lam), label: 'cross-validated log λ' },
  ] satisfies ReferencesFile);
  write('spline_implicit', 'path.json', pathFile(fine, sp('test'), 'βᵀΩβ', [{ norm: roughness(betaI, omega), reg_loss: mse(sp('reg'), betaI), label: 'total derivative' }]));
  const grid = Array.from({ length: 201 }, (_, i) => i / 200);
  const curve = (b: ArrayLike<number>): { x: number; y: number }[] => {
    const g = splineProblem(grid, grid, SPLINE);
    return grid.map((x, i) => {
      let s = 0;
      for (let j = 0; j < g.d; j++) s += (g.x[i * g.d + j] ?? 0) * (b[j] ?? 0);
      return { x, y: s };
    });
  };
  const data = (['train', 'reg', 'test'] as const).flatMap((k) => Array.from(need(ss, k).x).map((x, i) => ({ x, y: need(ss, k).y[i] ?? 0, split: k })));
  const truth = { name: 'truth', points: grid.map((x) => ({ x, y: Math.sin(2 * Math.PI * x) + 0.5 * Math.sin(8 * Math.PI * x) })) };
  const cvCurve = { name: `cross-validated (λ = ${sb.lam.toPrecision(3)})`, points: curve(sb.w) };
  write('spline', 'spline.json', {
    data,
    curves: [{ name: "cross-regularization (paper's rule)", points: curve(beta) }, { name: 'total derivative (through fit)', points: curve(betaI) }, cvCurve, truth],
  } satisfies SplineFile);
  write('spline_implicit', 'spline.json', { data, curves: [{ name: 'total derivative (through fit)', points: curve(betaI) }, cvCurve, truth] } satisfies SplineFile);
  write('spline', 'references.json', [{ series: 'rough', value: sb.norm, label: 'cross-validated βᵀΩβ' }, { series: 'gen', value: sb.regMse, label: 'cross-validated reg-set MSE' }] satisfies ReferencesFile);
  write('spline', 'path.json', pathFile(sPath, sp('test'), 'βᵀΩβ', [{ norm: roughness(beta, omega), reg_loss: mse(sp('reg'), beta), label: 'cross-regularization' }]));
  if (!skipPaths) {
    timing.push(`spline_cv ${await run('spline_cv')} s`);
    const m = manifest('spline_cv');
    const sel = memberFinals('spline_cv')[m.selected ?? -1];
    table.push({ method: 'spline: CV program (selected)', reg: num(sel, 'gen'), test: num(sel, 'test_mse'), norm: num(sel, 'rough'), baseLam: sb.lam, baseNorm: sb.norm, baseReg: sb.regMse, extra: `selected #${m.selected}` });
    write('spline_cv', 'path.json', pathFile(sPath, sp('test'), 'βᵀΩβ', undefined));
  }

  const f = (v: number): string => (Number.isFinite(v) ? v.toPrecision(5) : '—');
  console.log('| method | reg-set MSE | test MSE | norm reached | baseline best λ | baseline norm | baseline reg MSE | gap reg MSE | gap norm |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of table)
    console.log(`| ${r.method} | ${f(r.reg)} | ${f(r.test)} | ${f(r.norm)} | ${f(r.baseLam)} | ${f(r.baseNorm)} | ${f(r.baseReg)} | ${gap(r.reg, r.baseReg)} | ${gap(r.norm, r.baseNorm)} |`);
  for (const r of table) if (r.extra !== '') console.log(`- ${r.method}: ${r.extra}`);
  console.log(`timings: ${timing.join(', ')}`);
  tf.disposeVariables();
};

void main();
