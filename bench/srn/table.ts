/**
 * The comparison table of docs/results-srn.md from the runs of `run-rows.ts`: per row, the final
 * report's test accuracy, test NLL, train accuracy and train–test gap, mean ± sd over the seeds
 * (sample sd), the norm of the classifier's final weights (its checkpoint), and for the SRN rows
 * the final penalty r and s_meta; then λ_max of the training cross-entropy over training for the
 * rows whose programs report it (`sharpness`), mean ± sd over the seeds at chosen epochs. Rows not
 * run yet are listed as such.
 *
 *   npx tsx bench/srn/table.ts [OUT=runs/srn]
 */
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint } from '../../runtime/checkpoint/store.js';
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '../../stdlib/tf.js';
import { CURVATURE, GROUPS, runDir, SEEDS, type Row } from './rows.js';

const root = process.argv[2] ?? 'runs/srn';
// Checkpoints load into tensors: any backend will do.
await tf.setBackend('cpu');

const reports = (dir: string): Record<string, number>[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, number>);

const finalRow = (dir: string): Record<string, number> => {
  const last = reports(dir).at(-1);
  if (last === undefined) throw new Error(`${dir}: no reports`);
  return last;
};

/** Every seed's run finished (its manifest has the run's duration). */
const done = (r: Row): boolean => SEEDS.every((s) => existsSync(path.join(runDir(root, r, s), 'manifest.json')) && /"seconds"/.test(readFileSync(path.join(runDir(root, r, s), 'manifest.json'), 'utf8')));

const meanSd = (v: readonly number[]): [number, number] => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) : 0;
  return [m, sd];
};
const show = (v: readonly number[], scale: number, digits: number): string => {
  const [m, sd] = meanSd(v.map((x) => x * scale));
  return `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
};

/** ‖Θ‖ over the classifier `net`'s parameters at the end of a run. */
const weightNorm = async (dir: string): Promise<number> => {
  // the run's own final checkpoint: a comment or report line changed since (training is the same) must not orphan it
  const ck = await loadCheckpoint(dir, {});
  if (E.isLeft(ck)) throw new Error(`${dir}: ${ck.left}`);
  const params = ck.right.snapshot.live[0]?.state.params ?? {};
  return Math.sqrt(
    Object.entries(params)
      .filter(([k]) => k.startsWith('net.'))
      .reduce((a, [, v]) => a + Array.from(v.dataSync()).reduce((b, x) => b + x * x, 0), 0),
  );
};

const line = async (r: Row): Promise<string> => {
  if (!done(r)) return `| ${r.label} | not run yet |`;
  const norms = await Promise.all(SEEDS.map((s) => weightNorm(runDir(root, r, s))));
  const finals = SEEDS.map((s) => finalRow(runDir(root, r, s)));
  const col = (k: string): number[] => finals.map((f) => f[k] ?? Number.NaN);
  const gap = finals.map((f) => (f['train_acc'] ?? Number.NaN) - (f['acc'] ?? Number.NaN));
  const srn = finals.every((f) => f['penalty'] !== undefined) ? `${show(col('penalty'), 1, 3)} | ${finals.every((f) => f['s_meta'] !== undefined) ? show(col('s_meta'), 1, 3) : '—'}` : '— | —';
  const sharp = finals.every((f) => f['sharpness'] !== undefined) ? show(col('sharpness'), 1, 2) : '—';
  return `| ${r.label} | ${show(col('acc'), 100, 2)} | ${show(col('test_nll'), 1, 4)} | ${show(col('train_acc'), 100, 2)} | ${show(gap, 100, 2)} | ${show(norms, 1, 1)} | ${sharp} | ${srn} |`;
};

const EPOCHS = [5, 10, 20, 30, 40, 50, 60] as const;
/** λ_max (`sharpness`) at the report of each epoch in EPOCHS, per seed. */
const curvatureLine = (r: Row): string => {
  if (!done(r)) return `| ${r.label} | not run yet |`;
  const at = SEEDS.map((s) => new Map(reports(runDir(root, r, s)).flatMap((q) => (typeof q['sharpness'] === 'number' ? [[q['epoch'] ?? -1, q['sharpness']] as const] : []))));
  const values = (e: number): number[] => at.map((m) => m.get(e) ?? Number.NaN);
  const change = SEEDS.map((_, i) => ((at[i]?.get(60) ?? Number.NaN) / (at[i]?.get(10) ?? Number.NaN) - 1) * 100);
  return `| ${r.label} | ${EPOCHS.map((e) => show(values(e), 1, 2)).join(' | ')} | ${show(change, 1, 0)}% |`;
};

console.log('| row | test acc % | test NLL | train acc % | gap (pts) | ‖Θ‖ | final λ_max | final r | final s_meta |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const listed = new Set<string>();
for (const rows of Object.values(GROUPS))
  for (const r of rows) {
    const key = runDir('', r, 0);
    if (listed.has(key)) continue;
    listed.add(key);
    console.log(await line(r));
  }

console.log('');
console.log(`| λ_max at epoch | ${EPOCHS.join(' | ')} | change 10 → 60 |`);
console.log(`| --- | ${EPOCHS.map(() => '---').join(' | ')} | --- |`);
for (const r of CURVATURE) console.log(curvatureLine(r));
