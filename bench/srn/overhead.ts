/**
 * Per-epoch time of SRN training over plain training (the SRN paper: +35% on ResNet-32), measured
 * in one process with the runs interleaved (plain, SRN, SRN with the exact Θ' gradient, plain, ...)
 * so that the machine's load falls on all alike.
 *
 * Training time only: each program runs from a copy whose report is cut to one value at the end
 * (the rows' per-epoch accuracy, NLL and λ_max evaluations are measurements, not training), and
 * the time of each epoch is taken between the step callbacks at epoch boundaries, so compiling,
 * loading data and the first (warm-up) epoch are not counted. Per program, the median epoch of
 * epochs 2..EPOCHS of every round; the ratio is of those medians.
 * `--table1` also times one epoch of the paper's SRN size (Table 1: Conv1D 128 → 64 → 32 at
 * stride 1), which costs minutes per epoch here.
 *
 *   nice -n 5 npx tsx bench/srn/overhead.ts [OUT=runs/srn-overhead] [ROUNDS=3] [--table1]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const table1 = process.argv.includes('--table1');
const [root = 'runs/srn-overhead', roundsArg = '3'] = args;
const rounds = Number(roundsArg);
const EPOCHS = 6;
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

mkdirSync(root, { recursive: true });
/** A copy of a program in the output folder: paths made absolute, the report cut to the end. */
const copy = (program: string, tag: string, edit: (text: string) => string = (t) => t): string => {
  const file = path.resolve(root, `${tag}.xreg`);
  writeFileSync(
    file,
    edit(readFileSync(`programs/srn/${program}.xreg`, 'utf8'))
      .replace(/^report every .*$/m, 'report every 1000 epochs: task')
      .replace('"../lib/blocks.xreg"', JSON.stringify(path.resolve('programs/lib/blocks.xreg')))
      .replace('"../../data/digits.csv.gz"', JSON.stringify(path.resolve('data/digits.csv.gz'))),
  );
  return file;
};
const PROGRAMS = {
  plain: copy('plain', 'plain'),
  srn: copy('srn_online', 'srn_online'),
  exact: copy('srn_online_exact', 'srn_online_exact'),
};

/** Seconds of each epoch after the first, from the step callbacks at epoch boundaries. */
const epochTimes = async (file: string, tag: string, epochs: number): Promise<number[]> => {
  const marks: bigint[] = [];
  const code = await runProgram(
    { registry: standardLibrary, file, out: `${root}/${tag}`, epochs, set: {}, checkpointEvery: 1e12, force: true, argv: ['overhead', tag] },
    {
      info: () => undefined,
      error: (l) => console.error(l),
      renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n'),
      onStep: (m, info) => {
        if (m.state.step % info.spe === 0) marks.push(process.hrtime.bigint());
      },
    },
  );
  if (code !== 0) throw new Error(`${file} failed`);
  return marks.slice(1).map((t, i) => Number(t - (marks[i] ?? t)) / 1e9);
};

const median = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
const times: Record<keyof typeof PROGRAMS, number[]> = { plain: [], srn: [], exact: [] };
const loads: string[] = [load()];
for (let i = 0; i < rounds; i++) {
  for (const k of ['plain', 'srn', 'exact'] as const) times[k].push(...(await epochTimes(PROGRAMS[k], `${k}-${i}`, EPOCHS)));
  loads.push(load());
}
const m = { plain: median(times.plain), srn: median(times.srn), exact: median(times.exact) };
const result = {
  epochs_per_run: EPOCHS,
  s_per_epoch: times,
  median_s_per_epoch: m,
  srn_over_plain: m.srn / m.plain,
  exact_over_plain: m.exact / m.plain,
  ...(table1
    ? {
        table1_s_per_epoch: median(
          await epochTimes(
            copy('srn_online', 'srn_online_table1', (t) =>
              t.replace('conv1d(16, 9, stride: 8) |> relu |> conv1d(16, 9, stride: 4) |> relu |> conv1d(16, 9)', 'conv1d(128, 9) |> relu |> conv1d(64, 9) |> relu |> conv1d(32, 9)'),
            ),
            'srn-table1',
            2,
          ),
        ),
      }
    : {}),
  loadavg: [...loads, load()],
};
writeFileSync(`${root}/overhead.json`, JSON.stringify(result, null, 1));
console.log(JSON.stringify(result, null, 1));
