/**
 * What a member's epoch costs beyond the one model's, taken apart: the one model of pbt.xreg
 * (bench/peers/population.ts's program) run alone, and run as two copies at once (what each core does
 * in a pool of 2: the machine's shared cache and memory bandwidth then serve two); and, with
 * `--population`, in the first round, the population of 20 in one process (`--workers 1`, alone on the machine: its
 * members interleaved, its exploits, no second process). CPU seconds per epoch from `/usr/bin/time`
 * (2-epoch run less 1-epoch run, per process).
 *
 *     npm run build && npx tsx bench/pool/contention.ts [--rounds 2] [--population] [--bin bin/xreg.js]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { oneModelText, pbtText } from '../peers/population.js';
import { loadAverage, median, oneThreadEach } from '../stats.js';

const root = path.join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const rounds = Number(option('rounds', '2'));
const bin = path.resolve(option('bin', path.join(root, 'bin', 'xreg.js')));
const withPopulation = args.includes('--population');

const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-contention-'));
const pbt = pbtText();
const files = { one: path.join(scratch, 'one.xreg'), population: path.join(scratch, 'pbt.xreg') };
writeFileSync(files.one, oneModelText(pbt));
writeFileSync(files.population, pbt);
const members = Number(/population (\d+)/.exec(pbt)?.[1] ?? NaN);

interface Timed {
  readonly wall: number;
  readonly cpu: number;
}
let runs = 0;
/** `xreg run FILE --epochs N` under /usr/bin/time; resolves when it ends. */
const run = (file: string, epochs: number, extra: readonly string[] = []): Promise<Timed> => {
  const id = runs++;
  const out = path.join(scratch, `out-${id}`);
  const times = path.join(scratch, `time-${id}`);
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S', '-o', times, process.execPath, bin, 'run', file, '--epochs', String(epochs), '--out', out, '--quiet', ...extra], {
    cwd: root,
    env: oneThreadEach(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${file} --epochs ${epochs} failed (${String(code)}): ${stderr.slice(-2000)}`));
      const [wall, user, sys] = readFileSync(times, 'utf8').trim().split(/\s+/).map(Number);
      rmSync(out, { recursive: true, force: true });
      resolve({ wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN) });
    }),
  );
};
const epochOf = (a: Timed, b: Timed): Timed => ({ wall: b.wall - a.wall, cpu: b.cpu - a.cpu });

const seen = new Map<string, Timed[]>();
const note = (name: string, t: Timed): void => {
  seen.set(name, [...(seen.get(name) ?? []), t]);
  console.error(`  ${name}: ${t.cpu.toFixed(2)} s CPU, ${t.wall.toFixed(2)} s wall per epoch (load ${loadAverage()})`);
};
try {
  for (let r = 0; r < rounds; r++) {
    console.error(`round ${r + 1}/${rounds}`);
    const alone = async (): Promise<void> => note('one model alone', epochOf(await run(files.one, 1), await run(files.one, 2)));
    const pair = async (): Promise<void> => {
      const [a1, b1] = await Promise.all([run(files.one, 1), run(files.one, 1)]);
      const [a2, b2] = await Promise.all([run(files.one, 2), run(files.one, 2)]);
      note('one model, two copies at once (each)', epochOf(a1, a2));
      note('one model, two copies at once (each)', epochOf(b1, b2));
    };
    // Alternate the order, so that neither always meets the same moment of the load.
    for (const f of r % 2 === 0 ? [alone, pair] : [pair, alone]) await f();
    // Minutes per run: once is enough to set it beside the one model's.
    if (withPopulation && r === 0) {
      const e = epochOf(await run(files.population, 1, ['--workers', '1']), await run(files.population, 2, ['--workers', '1']));
      note(`population of ${members} in one process, per member`, { wall: e.wall / members, cpu: e.cpu / members });
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`pbt.xreg's network, CPU and wall seconds per epoch; ${rounds} round(s); node ${process.version}; bin ${path.relative(process.cwd(), bin)}; load now ${loadAverage()}`);
console.log('| run | n | median CPU s per epoch | median wall s per epoch |');
console.log('|---|---:|---:|---:|');
for (const [name, ts] of seen) console.log(`| ${name} | ${ts.length} | ${median(ts.map((t) => t.cpu)).toFixed(2)} | ${median(ts.map((t) => t.wall)).toFixed(2)} |`);
