/**
 * The comparison table of docs/results-srn.md from the runs of `run-rows.ts`: per row, the final
 * report's test accuracy, test NLL, train accuracy and train–test gap, mean ± sd over the seeds
 * (sample sd), the norm of the classifier's final weights (its checkpoint), and for the SRN rows
 * the final penalty r and s_meta.
 *
 *   npx tsx bench/srn/table.ts [OUT=runs/srn]
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint } from '../../runtime/checkpoint/store.js';
import { sha256Text } from '../../runtime/results/manifest.js';
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '../../stdlib/tf.js';
import { GROUPS, runDir, SEEDS, type Row } from './rows.js';

const root = process.argv[2] ?? 'runs/srn';
// Checkpoints load into tensors: any backend will do.
await tf.setBackend('cpu');

const finalRow = (dir: string): Record<string, number> => {
  const lines = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) throw new Error(`${dir}: no reports`);
  return JSON.parse(last) as Record<string, number>;
};

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
const weightNorm = async (dir: string, program: string): Promise<number> => {
  const ck = await loadCheckpoint(dir, { program: sha256Text(readFileSync(`programs/srn/${program}.xreg`, 'utf8')) });
  if (E.isLeft(ck)) throw new Error(`${dir}: ${ck.left}`);
  const params = ck.right.snapshot.live[0]?.state.params ?? {};
  return Math.sqrt(
    Object.entries(params)
      .filter(([k]) => k.startsWith('net.'))
      .reduce((a, [, v]) => a + Array.from(v.dataSync()).reduce((b, x) => b + x * x, 0), 0),
  );
};

const line = async (r: Row): Promise<string> => {
  const norms = await Promise.all(SEEDS.map((s) => weightNorm(runDir(root, r, s), r.program)));
  const finals = SEEDS.map((s) => finalRow(runDir(root, r, s)));
  const col = (k: string): number[] => finals.map((f) => f[k] ?? Number.NaN);
  const gap = finals.map((f) => (f['train_acc'] ?? Number.NaN) - (f['acc'] ?? Number.NaN));
  const srn = finals.every((f) => f['penalty'] !== undefined) ? `${show(col('penalty'), 1, 3)} | ${finals.every((f) => f['s_meta'] !== undefined) ? show(col('s_meta'), 1, 3) : '—'}` : '— | —';
  return `| ${r.label} | ${show(col('acc'), 100, 2)} | ${show(col('test_nll'), 1, 4)} | ${show(col('train_acc'), 100, 2)} | ${show(gap, 100, 2)} | ${show(norms, 1, 1)} | ${srn} |`;
};

console.log('| row | test acc % | test NLL | train acc % | gap (pts) | ‖Θ‖ | final r | final s_meta |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const rows of Object.values(GROUPS)) for (const r of rows) console.log(await line(r));
