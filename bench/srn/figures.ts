/**
 * The figures of docs/results-srn.md from finished runs: the penalty r, s_meta and its two z-scores
 * over training (the collapse run and the online rows, seed 0), the two-phase rows, and λ_max over
 * training (bench/srn/curvature.ts).
 *
 *   npx tsx bench/srn/figures.ts [RUNS=runs/srn] [COLLAPSE=runs/srn-collapse] [CURVATURE=runs/srn-curvature] [OUT=docs/results-srn]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { linesChart, type Series } from '../../runtime/plot/lines.js';
import { runDir, SRN_ONLINE, SRN_TWO_PHASE } from './rows.js';

const [runs = 'runs/srn', collapse = 'runs/srn-collapse', curvature = 'runs/srn-curvature', out = 'docs/results-srn'] = process.argv.slice(2);

const rows = (dir: string): Record<string, number>[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, number>);

const series = (dir: string, keys: readonly string[], names: Readonly<Record<string, string>> = {}): Series[] => {
  const rs = rows(dir);
  return keys.map((k) => ({ name: names[k] ?? k, points: rs.flatMap((r) => (typeof r[k] === 'number' ? [{ x: r['epoch'] ?? 0, y: r[k] ?? 0 }] : [])) }));
};

const Curvature = t.type({ rows: t.array(t.type({ label: t.string, points: t.array(t.type({ epoch: t.number, lambda_max: t.number })) })) });

mkdirSync(out, { recursive: true });
const save = async (name: string, svg: Promise<string>): Promise<void> => {
  writeFileSync(path.join(out, name), await svg);
  console.log(path.join(out, name));
};

const zNames = { penalty: 'r (penalty)', s_meta: 's_meta', z_ce: 'z(L_val)', z_im: 'z(1/margin)', z_val: 'z(L_val)', z_margin: 'z(1/margin)' };
await save(
  'collapse.svg',
  linesChart({
    title: 'The collapse (paper reading; plain SGD lr 0.01, 32-32 MLP)',
    subtitle: 'r = softplus(pre) is pushed to 0 while s_meta sits near −2',
    xLabel: 'epoch',
    series: series(collapse, ['penalty', 's_meta', 'z_ce', 'z_im', 'pre'], { ...zNames, pre: 'pre-activation p' }),
  }),
);
const [paper, signed, frozen] = SRN_ONLINE;
for (const [row, file] of [
  [paper, 'online-paper.svg'],
  [signed, 'online-signed.svg'],
  [frozen, 'online-signed-frozen.svg'],
] as const) {
  if (row === undefined) continue;
  await save(file, linesChart({ title: row.label, subtitle: 'seed 0; SGD momentum 0.9, cosine, lr 0.05', xLabel: 'epoch', series: series(runDir(runs, row, 0), ['penalty', 's_meta', 'z_val', 'z_margin'], zNames) }));
}
const [tp, tpSigned] = SRN_TWO_PHASE;
for (const [row, file] of [
  [tp, 'two-phase-paper.svg'],
  [tpSigned, 'two-phase-signed-frozen.svg'],
] as const) {
  if (row === undefined) continue;
  await save(
    file,
    linesChart({
      title: row.label,
      subtitle: 'seed 0; epochs 0–30 meta-train φ on the probe, 30–90 train the fresh classifier',
      xLabel: 'epoch',
      series: series(runDir(runs, row, 0), ['s_meta', 'probe_penalty', 'penalty'], { probe_penalty: 'r(probe)', penalty: 'r(classifier)' }),
    }),
  );
}
const c = Curvature.decode(JSON.parse(readFileSync(path.join(curvature, 'curvature.json'), 'utf8')));
if (E.isRight(c))
  await save(
    'lambda-max.svg',
    linesChart({
      title: 'λ_max of the training cross-entropy over training',
      subtitle: 'power iteration on Hessian-vector products, whole training split, seed 0',
      xLabel: 'epoch',
      yLabel: 'λ_max',
      series: c.right.rows.map((r) => ({ name: r.label, points: r.points.map((p) => ({ x: p.epoch, y: p.lambda_max })) })),
    }),
  );
