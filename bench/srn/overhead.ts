/**
 * Per-epoch time of SRN training over plain training (the SRN paper: +35% on ResNet-32), measured
 * in one process with the runs interleaved (plain, SRN, plain, SRN, ...), so that the machine's
 * load falls on both alike. Each run is `EPOCHS` epochs of the program; the ratio is of medians.
 * The paper's SRN size (Table 1: Conv1D 128 → 64 → 32 at stride 1) is timed too, for one epoch.
 *
 *   nice -n 5 npx tsx bench/srn/overhead.ts [OUT=runs/srn-overhead] [ROUNDS=3]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';

const [root = 'runs/srn-overhead', roundsArg = '3'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const EPOCHS = 3;
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

mkdirSync(root, { recursive: true });
/** The online program with the paper's Table 1 SRN (a copy in the output folder, paths made absolute). */
const PAPER_SRN = path.resolve(root, 'srn_online_table1.xreg');
writeFileSync(
  PAPER_SRN,
  readFileSync('programs/srn/srn_online.xreg', 'utf8')
    .replace('conv1d(16, 9, stride: 8) |> relu |> conv1d(16, 9, stride: 4) |> relu |> conv1d(16, 9)', 'conv1d(128, 9) |> relu |> conv1d(64, 9) |> relu |> conv1d(32, 9)')
    .replace('"../lib/blocks.xreg"', JSON.stringify(path.resolve('programs/lib/blocks.xreg')))
    .replace('"../../data/digits.csv.gz"', JSON.stringify(path.resolve('data/digits.csv.gz'))),
);

const timed = async (file: string, tag: string, epochs: number): Promise<number> => {
  const t0 = process.hrtime.bigint();
  const code = await runProgram(
    { registry: standardLibrary, file, out: `${root}/${tag}`, epochs, set: {}, checkpointEvery: 1e12, argv: ['overhead', tag] },
    { info: () => undefined, error: (l) => console.error(l), renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n') },
  );
  if (code !== 0) throw new Error(`${file} failed`);
  return Number(process.hrtime.bigint() - t0) / 1e9 / epochs;
};

const plain: number[] = [];
const srn: number[] = [];
const loads: string[] = [load()];
for (let i = 0; i < rounds; i++) {
  plain.push(await timed('programs/srn/plain.xreg', `plain-${i}`, EPOCHS));
  srn.push(await timed('programs/srn/srn_online.xreg', `srn-${i}`, EPOCHS));
  loads.push(load());
}
const table1 = await timed(PAPER_SRN, 'srn-table1', 1);
loads.push(load());
const median = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
const result = {
  epochs_per_run: EPOCHS,
  plain_s_per_epoch: plain,
  srn_s_per_epoch: srn,
  ratio_of_medians: median(srn) / median(plain),
  table1_srn_s_per_epoch: table1,
  table1_ratio: table1 / median(plain),
  loadavg: loads,
};
writeFileSync(`${root}/overhead.json`, JSON.stringify(result, null, 1));
console.log(JSON.stringify(result, null, 1));
