/**
 * The tables of docs/results-noise.md from the run folders that bench/noise/run.ts writes:
 *   npx tsx bench/noise/tables.ts [OUT=runs/noise]
 * Each table says which runs it needs; a missing run shows as "—".
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { MetricsRow } from '../../runtime/plot/formats.js';
import { fmt, logSigmas, memberFinals, num, rowsOf, timingOf } from './read.js';
import { AUG_SCALES, PROBE_LOG_SIGMA, SEEDS, SWEEP_LOG_SIGMA } from './runs.js';

const root = process.argv[2] ?? 'runs/noise';
const dir = (name: string): string => path.join(root, name);
const last = (name: string): MetricsRow | undefined => rowsOf(dir(name)).at(-1);
const seedsOf = (prefix: string): (MetricsRow | undefined)[] => SEEDS.map((s) => last(`${prefix}-s${s}`)).filter((r) => r !== undefined);
const col = (rs: readonly (MetricsRow | undefined)[], k: string): number[] => rs.map((r) => num(r, k));
const gapOf = (rs: readonly (MetricsRow | undefined)[], train: string, test: string): number[] => rs.map((r) => num(r, train) - num(r, test));
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const sigmaText = (r: MetricsRow | undefined): string => logSigmas(r).map((l) => Math.exp(l).toPrecision(3)).join(', ') || '—';

// ---- the sweep: selection on the regularization split by `gen` (the rule's own objective), per seed ----
type Member = { s: number; r: MetricsRow | undefined };
const sweepOf = (seed: number): Member[] => SWEEP_LOG_SIGMA.map((s) => ({ s, r: last(`sweep${s}-s${seed}`) })).filter((m) => m.r !== undefined);
const lowestBy = (ms: readonly Member[], k: string): Member | undefined => ms.reduce<Member | undefined>((b, m) => (b === undefined || num(m.r, k) < num(b.r, k) ? m : b), undefined);
const sweeps = SEEDS.map((seed) => ({ seed, members: sweepOf(seed) })).filter((x) => x.members.length > 0);
const selected = sweeps.map(({ seed, members }) => ({ seed, best: lowestBy(members, 'gen'), bestDet: lowestBy(members, 'reg_nll') }));
const best = selected[0]?.best;

console.log(`## Fixed-σ sweep (log σ in all three blocks, frozen; mean ± sd over seeds ${sweeps.map((x) => x.seed).join(', ')})\n`);
const sweepCol = (s: number, k: string): string => fmt(sweeps.map(({ members }) => num(members.find((m) => m.s === s)?.r, k)), 4);
console.log(
  table(
    ['log σ', 'σ', 'seeds', 'gen: reg NLL, K = 3 MC', 'reg NLL, K = 30 MC', 'reg NLL, deterministic', 'train acc', 'test acc', 'test NLL (MC 5)', 'test ECE (MC 5)'],
    SWEEP_LOG_SIGMA.map((s) => [
      String(s),
      Math.exp(s).toPrecision(3),
      String(sweeps.filter(({ members }) => members.some((m) => m.s === s)).length),
      sweepCol(s, 'gen'),
      sweepCol(s, 'gen30'),
      sweepCol(s, 'reg_nll'),
      sweepCol(s, 'train_acc'),
      sweepCol(s, 'acc'),
      sweepCol(s, 'mc_nll'),
      sweepCol(s, 'mc_ece'),
    ]),
  ),
);
console.log(`\nselected per seed by gen (K = 3): ${selected.map((x) => `seed ${x.seed}: log σ = ${x.best?.s ?? '—'}`).join('; ')}; by deterministic reg NLL: ${selected.map((x) => `seed ${x.seed}: ${x.bestDet?.s ?? '—'}`).join('; ')}\n`);

// ---- main comparison ----
const plain = seedsOf('plain');
const plainFit = SEEDS.map((s) => rowsOf(dir(`plain-s${s}`)).find((r) => r.epoch === 20)).filter((r) => r !== undefined);
const cr = seedsOf('crossreg');
const fixed = seedsOf('fixed');
// Each seed's own selected member (the cross-validation reference as it would be run on that seed).
const sweepBest = selected.map((x) => x.best?.r).filter((r) => r !== undefined);
const selectedText = selected.map((x) => String(x.best?.s ?? '—')).join(', ');
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
      line(`sweep-selected fixed σ (per seed: log σ = ${selectedText}; MC 5 test)`, sweepBest, 'mc_acc', 'mc_nll', 'mc_ece'),
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
      calRow(`fixed σ selected by the sweep (per seed: log σ = ${selectedText}; MC 5)`, sweepBest, 'mc_acc', 'mc_ece', '—'),
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
  const bestLog = SEEDS.map((seed) => selected.find((x) => x.seed === seed)?.best?.s ?? Number.NaN);
  console.log(`\nheadline: learned log σ (mean over blocks) ${fmt(meanLog, 2)} vs each seed's selected ${bestLog.join(', ')}: σ ratio learned/best = ${fmt(meanLog.map((l, i) => Math.exp(l - (bestLog[i] ?? Number.NaN))), 3)}`);
  console.log(`reg NLL (gen, K = 3): cross-reg ${fmt(crGen, 4)}, sweep best ${fmt(sweepGen, 4)}; gap ${fmt(crGen.map((g, i) => (g / (sweepGen[i] ?? Number.NaN) - 1) * 100), 1)} %\n`);
}

// ---- PBT, per seed ----
const pbtRuns = SEEDS.map((seed) => ({ seed, finals: memberFinals(rowsOf(dir(seed === 0 ? 'pbt' : `pbt-s${seed}`))) })).filter((x) => x.finals.length > 0);
for (const { seed, finals } of pbtRuns) {
  console.log(`## PBT (population 8, seed ${seed}): members at the end\n`);
  console.log(table(['member', 'val acc (reg)', 'reg NLL', 'train acc', 'σ blocks 1–3'], finals.map((r, i) => [String(i), num(r, 'val_acc').toFixed(4), num(r, 'reg_nll').toFixed(4), num(r, 'train_acc').toFixed(4), sigmaText(r)])));
  console.log('');
}
if (pbtRuns.length > 0) {
  const bestOf = (fs: readonly MetricsRow[]): MetricsRow | undefined => fs.reduce<MetricsRow | undefined>((b, r) => (b === undefined || num(r, 'val_acc') > num(b, 'val_acc') ? r : b), undefined);
  const sig = (fs: readonly MetricsRow[]): number[] => fs.flatMap((r) => logSigmas(r).map(Math.exp));
  console.log(`PBT summary over seeds ${pbtRuns.map((x) => x.seed).join(', ')}: best member's val acc ${fmt(pbtRuns.map((x) => num(bestOf(x.finals), 'val_acc')), 4)}, its reg NLL ${fmt(pbtRuns.map((x) => num(bestOf(x.finals), 'reg_nll')), 4)}; σ of all members ${pbtRuns.map((x) => `${Math.min(...sig(x.finals)).toPrecision(2)}–${Math.max(...sig(x.finals)).toPrecision(2)}`).join(', ')}\n`);
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

// ---- growing data: 20% of the training split (400 images) for 45 epochs of 7 steps, then 10 epochs on all 2,000 ----
const GROW_UNTIL = 45;
const growRuns = SEEDS.map((seed) => rowsOf(dir(`growing-s${seed}`))).filter((rs) => rs.length > 0);
if (growRuns.length > 0) {
  const total = (r: MetricsRow | undefined): number => (r === undefined ? Number.NaN : logSigmas(r).reduce((a, l) => a + Math.exp(l), 0));
  const at = (e: number): (MetricsRow | undefined)[] => growRuns.map((rs) => rs.find((r) => r.epoch === e));
  const epochsLogged = [...new Set(growRuns.flatMap((rs) => rs.map((r) => r.epoch)))].sort((a, b) => a - b);
  console.log(`\n## Growing data (20% of the training split until epoch ${GROW_UNTIL}, then all; mean ± sd over ${growRuns.length} seeds)\n`);
  console.log(
    table(
      ['epoch', 'step', 'train examples', 'train acc', 'gen (reg NLL, K = 3)', 'mean log σ blocks 1–3', 'total σ'],
      epochsLogged.map((e) => {
        const rs = at(e);
        return [
          String(e),
          String(rs[0]?.step ?? '—'),
          e < GROW_UNTIL ? '400' : '2000',
          fmt(col(rs, 'train_acc'), 3),
          fmt(col(rs, 'gen'), 4),
          [0, 1, 2].map((b) => fmt(rs.map((r) => logSigmas(r)[b] ?? Number.NaN), 2)).join('; '),
          fmt(rs.map(total), 4),
        ];
      }),
    ),
  );
  const before = at(GROW_UNTIL).map(total);
  const after = growRuns.map((rs) => total(rs.at(-1)));
  const start = 3 * Math.exp(-3);
  console.log(
    `\ntotal σ: start ${start.toFixed(4)}, before growth (epoch ${GROW_UNTIL}) ${fmt(before, 4)} [${before.map((x) => x.toFixed(3)).join(', ')}], end ${fmt(after, 4)} [${after.map((x) => x.toFixed(3)).join(', ')}]; change on 20% ${fmt(before.map((b) => b - start), 4)}, after growth ${fmt(after.map((a, i) => a - (before[i] ?? Number.NaN)), 4)}`,
  );
}

// ---- sensitivity (§6.4), per seed: seed 0's runs are `sens-k1`, later seeds' `sens-k1-s1` ----
const SENS = ['sens-k1', 'sens-k5', 'sens-r10', 'sens-r100', 'sens-reg0.01', 'sens-reg0.03', 'sens-reg0.1'];
const sensRuns = (base: string): { seed: number; r: MetricsRow | undefined }[] =>
  SEEDS.map((seed) => ({ seed, r: last(seed === 0 ? base : `${base}-s${seed}`) })).filter((x) => x.r !== undefined);
console.log('\n## Sensitivity (one setting changed at a time from K = 3, r = 30, 1,000 regularization examples; mean ± sd over seeds)\n');
console.log(
  table(
    ['run', 'seeds', 'σ per block at the end (seed by seed)', 'mean log σ (over blocks)', 'test acc', 'gen'],
    [{ base: 'crossreg', rows: seedsOf('crossreg').map((r, seed) => ({ seed, r })) }, ...SENS.map((base) => ({ base, rows: sensRuns(base) }))]
      .filter((x) => x.rows.length > 0)
      .map(({ base, rows }) => [
        base,
        rows.map((x) => x.seed).join(', '),
        rows.map((x) => sigmaText(x.r)).join('; '),
        fmt(rows.map((x) => { const ls = logSigmas(x.r); return ls.reduce((a, b) => a + b, 0) / Math.max(1, ls.length); }), 2),
        fmt(rows.map((x) => num(x.r, 'acc')), 4),
        fmt(rows.map((x) => num(x.r, 'gen')), 4),
      ]),
  ),
);

// ---- learned augmentation (augment.xreg) against none (plain.xreg) and the same magnitudes fixed ----
const augRows = (prefix: string): (MetricsRow | undefined)[] => SEEDS.map((seed) => last(`${prefix}-s${seed}`)).filter((r) => r !== undefined);
const magnitudes = (r: MetricsRow | undefined): string =>
  ['translate', 'rotate', 'shear'].map((k) => num(r, `net.augment.${k}.magnitude`)).map((v) => (Number.isNaN(v) ? '—' : Math.abs(v).toPrecision(2))).join(', ');
const augTable = [
  { name: 'no augmentation (plain.xreg)', rs: augRows('aug-none') },
  { name: 'fixed α (1 px, 5°, 0.1)', rs: augRows('aug-fixed') },
  ...AUG_SCALES.map((sc) => ({ name: `fixed α × ${sc}`, rs: augRows(`aug-scale${sc}`) })),
  { name: 'learned α (cross-reg)', rs: augRows('aug-learned') },
].filter((x) => x.rs.length > 0);
if (augTable.length > 0) {
  console.log('\n## Learned augmentation (common setting, noise off; mean ± sd over seeds)\n');
  console.log(
    table(
      ['augmentation', 'seeds', 'test acc %', 'test NLL', 'test ECE', 'train acc %', 'gap (points)', 'gen (reg NLL, K = 3 augmented)', 'reg NLL (no augmentation)', '|α| at the end: translate, rotate, shear (seed by seed)'],
      augTable.map(({ name, rs }) => [
        name,
        String(rs.length),
        fmt(col(rs, 'acc'), 2, 100),
        fmt(col(rs, 'test_nll'), 3),
        fmt(col(rs, 'ece'), 3),
        fmt(col(rs, 'train_acc'), 2, 100),
        fmt(gapOf(rs, 'train_acc', 'acc'), 2, 100),
        // Without augmentation the K = 3 average is the one deterministic prediction: gen is the reg NLL.
        fmt(col(rs, name.startsWith('no augmentation') ? 'reg_nll' : 'gen'), 4),
        fmt(col(rs, 'reg_nll'), 4),
        name.startsWith('learned') ? rs.map(magnitudes).join('; ') : '',
      ]),
    ),
  );
}

// ---- timings ----
console.log('\n## Timings (this machine, shared; wall and process CPU seconds, load average before)\n');
const names = ['plain-s0', 'crossreg-s0', 'fixed-s0', 'ensemble-s0', 'pbt', 'growing-s0', 'aug-learned-s0', 'aug-fixed-s0', 'aug-none-s0'].filter((n) => existsSync(dir(n)));
console.log(table(['run', 'wall s', 'cpu s', 'load'], names.map((n) => { const t = timingOf(dir(n)); return [n, t?.wall_s.toFixed(0) ?? '—', t?.cpu_s.toFixed(0) ?? '—', t?.load_before.split(' ')[0] ?? '—']; })));
