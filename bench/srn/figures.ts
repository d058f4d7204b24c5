/**
 * The figures of docs/results-srn.md from finished runs: the penalty r, s_meta and its two z-scores
 * over training (the collapse run and the online rows, seed 0), the two-phase rows, and λ_max over
 * training as the curvature rows' programs report it (`sharpness`, mean over the seeds). A figure
 * whose runs are missing is skipped with a line saying so.
 *
 *   npx tsx bench/srn/figures.ts [RUNS=runs/srn] [COLLAPSE=runs/srn-collapse] [OUT=docs/results-srn]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { linesChart, type Series } from '../../runtime/plot/lines.js';
import { CURVATURE, runDir, SEEDS, SRN_ONLINE, SRN_TWO_PHASE } from './rows.js';

const [runs = 'runs/srn', collapse = 'runs/srn-collapse', out = 'docs/results-srn'] = process.argv.slice(2);

const rows = (dir: string): Record<string, number>[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, number>);

const series = (dir: string, keys: readonly string[], names: Readonly<Record<string, string>> = {}): Series[] => {
  const rs = rows(dir);
  return keys.map((k) => ({ name: names[k] ?? k, points: rs.flatMap((r) => (typeof r[k] === 'number' ? [{ x: r['epoch'] ?? 0, y: r[k] ?? 0 }] : [])) }));
};

mkdirSync(out, { recursive: true });
const save = async (name: string, svg: () => Promise<string>, from: readonly string[]): Promise<void> => {
  const missing = from.filter((d) => !existsSync(path.join(d, 'metrics.jsonl')));
  if (missing.length > 0) return void console.log(`${name}: skipped (no runs in ${missing.join(', ')})`);
  writeFileSync(path.join(out, name), await svg());
  console.log(path.join(out, name));
};

const zNames = { penalty: 'r (penalty)', s_meta: 's_meta', z_ce: 'z(L_val)', z_im: 'z(1/margin)', z_val: 'z(L_val)', z_margin: 'z(1/margin)' };
await save(
  'collapse.svg',
  () =>
    linesChart({
    title: 'The collapse (paper reading; plain SGD lr 0.01, 32-32 MLP)',
    subtitle: 'r = softplus(pre) is pushed to 0 while s_meta sits near −2',
    xLabel: 'epoch',
    series: series(collapse, ['penalty', 's_meta', 'z_ce', 'z_im', 'pre'], { ...zNames, pre: 'pre-activation p' }),
  }),
  [collapse],
);
const [paper, signed, frozen] = SRN_ONLINE;
for (const [row, file] of [
  [paper, 'online-paper.svg'],
  [signed, 'online-signed.svg'],
  [frozen, 'online-signed-frozen.svg'],
] as const) {
  if (row === undefined) continue;
  const dir = runDir(runs, row, 0);
  await save(file, () => linesChart({ title: row.label, subtitle: 'seed 0; SGD momentum 0.9, cosine, lr 0.05', xLabel: 'epoch', series: series(dir, ['penalty', 's_meta', 'z_val', 'z_margin'], zNames) }), [dir]);
}
const [tp, tpSigned] = SRN_TWO_PHASE;
for (const [row, file] of [
  [tp, 'two-phase-paper.svg'],
  [tpSigned, 'two-phase-signed-frozen.svg'],
] as const) {
  if (row === undefined) continue;
  await save(
    file,
    () =>
      linesChart({
      title: row.label,
      subtitle: 'seed 0; epochs 0–30 meta-train φ on the probe, 30–90 train the fresh classifier',
      xLabel: 'epoch',
      series: series(runDir(runs, row, 0), ['s_meta', 'probe_penalty', 'penalty'], { probe_penalty: 'r(probe)', penalty: 'r(classifier)' }),
    }),
    [runDir(runs, row, 0)],
  );
}
/** λ_max (`sharpness`) per epoch, averaged over the seeds at the epochs every seed reported. */
const meanSharpness = (dirs: readonly string[]): { x: number; y: number }[] => {
  const per = dirs.map((d) => new Map(series(d, ['sharpness'])[0]?.points.map((p) => [p.x, p.y]) ?? []));
  const epochs = [...(per[0]?.keys() ?? [])].filter((e) => per.every((m) => m.has(e)));
  return epochs.map((e) => ({ x: e, y: per.reduce((a, m) => a + (m.get(e) ?? 0), 0) / per.length }));
};
const curvatureDirs = CURVATURE.map((r) => SEEDS.map((s) => runDir(runs, r, s)));
await save(
  'lambda-max.svg',
  () =>
    linesChart({
    title: 'λ_max of the training cross-entropy over training',
    subtitle: `lambda_max(..., iterations: 50) as each program reports it, whole training split, mean of seeds ${SEEDS.join(', ')}`,
    xLabel: 'epoch',
    yLabel: 'λ_max',
    series: CURVATURE.map((r, i) => ({ name: r.label, points: meanSharpness(curvatureDirs[i] ?? []) })),
  }),
  curvatureDirs.flat(),
);
