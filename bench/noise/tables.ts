/**
 * The tables of docs/results-noise.md from the run folders that bench/noise/run.ts writes:
 *   npx tsx bench/noise/tables.ts [OUT=runs/noise]
 * Each table says which runs it needs; a missing run shows as "—".
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { MetricsRow } from '../../runtime/plot/formats.js';
import { fmt, logSigmas, memberFinals, num, rowsOf, timingOf } from './read.js';
import { PROBE_LOG_SIGMA, SEEDS, SWEEP_LOG_SIGMA } from './runs.js';

const root = process.argv[2] ?? 'runs/noise';
const dir = (name: string): string => path.join(root, name);
const last = (name: string): MetricsRow | undefined => rowsOf(dir(name)).at(-1);
const seedsOf = (prefix: string): (MetricsRow | undefined)[] => SEEDS.map((s) => last(`${prefix}-s${s}`)).filter((r) => r !== undefined);
const col = (rs: readonly (MetricsRow | undefined)[], k: string): number[] => rs.map((r) => num(r, k));
const gapOf = (rs: readonly (MetricsRow | undefined)[], train: string, test: string): number[] => rs.map((r) => num(r, train) - num(r, test));
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const sigmaText = (r: MetricsRow | undefined): string => logSigmas(r).map((l) => Math.exp(l).toPrecision(3)).join(', ') || '—';

// ---- the sweep: selection on the regularization split by `gen` (the rule's own objective) ----
const sweep = SWEEP_LOG_SIGMA.map((s) => ({ s, r: last(`sweep${s}-s0`) })).filter((m) => m.r !== undefined);
const best = sweep.reduce<{ s: number; r: MetricsRow | undefined } | undefined>((b, m) => (b === undefined || num(m.r, 'gen') < num(b.r, 'gen') ? m : b), undefined);
const bestDet = sweep.reduce<{ s: number; r: MetricsRow | undefined } | undefined>((b, m) => (b === undefined || num(m.r, 'reg_nll') < num(b.r, 'reg_nll') ? m : b), undefined);

console.log('## Fixed-σ sweep (seed 0): log σ in all three blocks, frozen\n');
console.log(
  table(
    ['log σ', 'σ', 'gen: reg NLL, K = 3 MC', 'reg NLL, K = 30 MC', 'reg NLL, deterministic', 'train acc', 'test acc', 'test NLL (MC 5)', 'test ECE (MC 5)'],
    sweep.map(({ s, r }) => [String(s), Math.exp(s).toPrecision(3), num(r, 'gen').toFixed(4), num(r, 'gen30').toFixed(4), num(r, 'reg_nll').toFixed(4), num(r, 'train_acc').toFixed(4), num(r, 'acc').toFixed(4), num(r, 'mc_nll').toFixed(4), num(r, 'mc_ece').toFixed(4)]),
  ),
);
console.log(`\nselected by gen (K = 3): log σ = ${best?.s ?? '—'}; by deterministic reg NLL: log σ = ${bestDet?.s ?? '—'}\n`);

// ---- main comparison ----
const plain = seedsOf('plain');
const plainFit = SEEDS.map((s) => rowsOf(dir(`plain-s${s}`)).find((r) => r.epoch === 20)).filter((r) => r !== undefined);
const cr = seedsOf('crossreg');
const fixed = seedsOf('fixed');
const sweepBest = best === undefined ? [] : seedsOf(`sweep${best.s}`);
const ens = seedsOf('ensemble');
const pbtFinals = memberFinals(rowsOf(dir('pbt')));

console.log('## Main comparison (2,000 training images, full 10,000-image test set; mean ± sd over seeds)\n');
const line = (name: string, rs: readonly (MetricsRow | undefined)[], acc: string, nll: string, ece: string, train = 'train_acc', extra = ''): string[] => [
  name,
  String(rs.length),
  fmt(col(rs, acc), 2, 100),
  fmt(col(rs, nll), 3),
  fmt(col(rs, ece), 3),
  fmt(col(rs, train), 2, 100),
  fmt(gapOf(rs, train, acc), 2, 100),
  extra,
];
console.log(
  table(
    ['method', 'seeds', 'test acc %', 'test NLL', 'test ECE', 'train acc %', 'gap (points)', 'σ at the end (blocks 1–3)'],
    [
      line('plain (no noise)', plainFit, 'acc', 'test_nll', 'ece'),
      line('plain + temperature scaling', plain, 'acc', 'nll_t', 'ece_t', 'train_acc', `T = ${fmt(col(plain, 'temperature'), 2)}`),
      line('fixed σ = 1 in blocks 2–3 (deterministic test)', fixed, 'acc', 'test_nll', 'ece'),
      line('fixed σ = 1 in blocks 2–3 (MC 5 test)', fixed, 'mc_acc', 'mc_nll', 'mc_ece'),
      line(`sweep-selected fixed σ (log σ = ${best?.s ?? '—'}, MC 5 test)`, sweepBest, 'mc_acc', 'mc_nll', 'mc_ece'),
      line('cross-reg learned σ (deterministic test)', cr, 'acc', 'test_nll', 'ece'),
      line('cross-reg learned σ (MC 5 test)', cr, 'mc_acc', 'mc_nll', 'mc_ece', 'train_acc', cr.map(sigmaText).join('; ')),
      line('deep ensemble, 5 members', ens, 'ens_acc', 'ens_nll', 'ens_ece', 'ens_train_acc'),
    ],
  ),
);

// ---- calibration (the paper's §6.5 rows) ----
console.log('\n## Calibration (accuracy and ECE, 15 bins, on the 10,000 test images)\n');
const calRow = (name: string, rs: readonly (MetricsRow | undefined)[], acc: string, ece: string, paper: string): string[] => [name, String(rs.length), fmt(col(rs, acc), 2, 100), fmt(col(rs, ece), 3), paper];
console.log(
  table(
    ['row', 'seeds', 'test acc %', 'ECE', 'paper (CIFAR-10): acc %, ECE'],
    [
      calRow('uncalibrated (plain)', plainFit, 'acc', 'ece', '67.4, 0.163'),
      calRow('temperature scaling', plain, 'acc', 'ece_t', '69.6, 0.057'),
      calRow('fixed regularization (σ = 1 in blocks 2–3, MC 5)', fixed, 'mc_acc', 'mc_ece', '74.7, 0.175'),
      calRow(`fixed σ selected by the sweep (log σ = ${best?.s ?? '—'}, MC 5)`, sweepBest, 'mc_acc', 'mc_ece', '—'),
      calRow('deep ensemble (5)', ens, 'ens_acc', 'ens_ece', '81.3, 0.030'),
      calRow('cross-reg (learned σ, MC 5)', cr, 'mc_acc', 'mc_ece', '79.5, 0.038'),
    ],
  ),
);

// ---- headline: where the learned σ ends against the sweep's best ----
if (best !== undefined && cr.length > 0) {
  const learned = cr.map((r) => logSigmas(r));
  const meanLog = learned.map((ls) => ls.reduce((a, b) => a + b, 0) / Math.max(1, ls.length));
  const crGen = col(cr, 'gen');
  const sweepGen = col(sweepBest, 'gen');
  console.log(`\nheadline: learned log σ (mean over blocks) ${fmt(meanLog, 2)} vs the sweep's best ${best.s}: σ ratio learned/best = ${fmt(meanLog.map((l) => Math.exp(l - best.s)), 3)}`);
  console.log(`reg NLL (gen, K = 3): cross-reg ${fmt(crGen, 4)}, sweep best ${fmt(sweepGen, 4)}; gap ${fmt(crGen.map((g, i) => (g / (sweepGen[i] ?? Number.NaN) - 1) * 100), 1)} %\n`);
}

// ---- PBT ----
if (pbtFinals.length > 0) {
  console.log('## PBT (population 8, seed 0): members at the end\n');
  console.log(table(['member', 'val acc (reg)', 'reg NLL', 'train acc', 'σ blocks 1–3'], pbtFinals.map((r, i) => [String(i), num(r, 'val_acc').toFixed(4), num(r, 'reg_nll').toFixed(4), num(r, 'train_acc').toFixed(4), sigmaText(r)])));
  console.log('');
}

// ---- the probe: ∂gen/∂log σ per block from the logged log σ (SGD lr 0.01: Δ log σ = −0.01 · ∂gen/∂log σ) ----
const PROBE_LR = 0.01;
console.log('## Hyper-gradient probe: ∂gen/∂log σ per block (mean over the updates of each third of training)\n');
const probeRows: string[][] = [];
for (const s of PROBE_LOG_SIGMA) {
  const rs = rowsOf(dir(`probe${s}`)).filter((r) => logSigmas(r).length > 0);
  if (rs.length < 2) continue;
  const grads = rs.slice(1).map((r, i) => logSigmas(r).map((l, b) => -(l - (logSigmas(rs[i])[b] ?? Number.NaN)) / PROBE_LR));
  const thirds = [0, 1, 2].map((t) => grads.slice(Math.floor((t * grads.length) / 3), Math.floor(((t + 1) * grads.length) / 3)));
  for (let b = 0; b < 3; b++)
    probeRows.push([String(s), String(b + 1), ...thirds.map((g) => fmt(g.map((v) => v[b] ?? Number.NaN), 4)), String(grads.filter((g) => (g[b] ?? 0) > 0).length) + ` of ${grads.length}`]);
}
console.log(table(['held log σ', 'block', 'first third', 'middle third', 'last third', 'updates with ∂ > 0 (σ pushed down)'], probeRows));

// ---- rest points: the rule started at the sweep's range ----
console.log('\n## The rule started at log σ = −1 and 0 (seed 0): log σ per block at epochs 0, 10, 20\n');
console.log(
  table(
    ['start', 'epoch 10', 'epoch 20', 'gen at epoch 20'],
    ['crossreg-trace', 'crossreg-init-1', 'crossreg-init0'].flatMap((n) => {
      const rs = rowsOf(dir(n));
      if (rs.length === 0) return [];
      const at = (e: number): string => logSigmas(rs.find((r) => r.epoch === e)).map((l) => l.toFixed(2)).join(', ');
      return [[n, at(10), at(20), num(rs.at(-1), 'gen').toFixed(4)]];
    }),
  ),
);

// ---- growing data ----
const grow = rowsOf(dir('growing'));
if (grow.length > 0) {
  const total = (r: MetricsRow | undefined): string => logSigmas(r).reduce((a, l) => a + Math.exp(l), 0).toFixed(4);
  const g = (e: number): MetricsRow | undefined => grow.find((r) => r.epoch === e);
  console.log('\n## Growing data (20% of the training split until epoch 10, then all; seed 0)\n');
  console.log(
    table(
      ['epoch', 'train examples', 'train acc', 'gen (reg NLL, K = 3)', 'log σ blocks 1–3', 'total σ'],
      [1, 5, 9, 10, 11, 15, 20].map((e) => [String(e), e < 10 ? '400' : '2000', num(g(e), 'train_acc').toFixed(3), num(g(e), 'gen').toFixed(4), logSigmas(g(e)).map((l) => l.toFixed(2)).join(', '), total(g(e))]),
    ),
  );
}

// ---- sensitivity (§6.4) ----
const sens = ['crossreg-s0', 'sens-k1', 'sens-k5', 'sens-r10', 'sens-r100', 'sens-reg0.01', 'sens-reg0.03', 'sens-reg0.1'];
console.log('\n## Sensitivity (seed 0; one setting changed at a time from K = 3, r = 30, 1,000 regularization examples)\n');
console.log(
  table(
    ['run', 'σ blocks 1–3 at the end', 'test acc', 'gen', 'cpu s', 'wall s', 'load'],
    sens.filter((n) => existsSync(dir(n))).map((n) => {
      const r = last(n);
      const t = timingOf(dir(n));
      return [n, sigmaText(r), num(r, 'acc').toFixed(4), num(r, 'gen').toFixed(4), t?.cpu_s.toFixed(1) ?? '—', t?.wall_s.toFixed(0) ?? '—', t?.load_before.split(' ')[0] ?? '—'];
    }),
  ),
);

// ---- timings ----
console.log('\n## Timings (this machine, shared; wall and process CPU seconds, load average before)\n');
const names = ['plain-s0', 'crossreg-s0', 'fixed-s0', 'ensemble-s0', 'pbt', 'growing'].filter((n) => existsSync(dir(n)));
console.log(table(['run', 'wall s', 'cpu s', 'load'], names.map((n) => { const t = timingOf(dir(n)); return [n, t?.wall_s.toFixed(0) ?? '—', t?.cpu_s.toFixed(0) ?? '—', t?.load_before.split(' ')[0] ?? '—']; })));
