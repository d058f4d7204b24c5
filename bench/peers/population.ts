/**
 * bench/peers' population row: `programs/noise/pbt.xreg` (a population of 20) on `--workers N`
 * against the same network trained as one model, per epoch of the program as written. Each side
 * runs `xreg run` (a built `bin/xreg.js`) for 1 and for 2 epochs (the one model for 1 and 3), and the
 * difference of the wall times is one epoch (two for the one model): start-up (Node, data, compile), the final save and the pool's merge
 * cancel out, and the epoch holds what the program asks of it — every member's steps, its report
 * (`report every 1 epoch`, as the one model's) and, for the population, one exploit (the 2-epoch
 * run exploits at the end of the first; a run never exploits at its last step).
 *
 * Alone: `npx tsx bench/peers/population.ts [--rounds 2] [--workers 2] [--bin bin/xreg.js,OTHER/bin/xreg.js]`;
 * several `--bin`s (another tree's build) are measured round by round, interleaved, for a
 * before/after figure in one sitting.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadAverage, median, oneThreadEach } from '../stats.js';

const root = path.join(import.meta.dirname, '..', '..');

/** pbt.xreg with its import made absolute (the copies live in a scratch folder). */
export const pbtText = (): string =>
  readFileSync(path.join(root, 'programs', 'noise', 'pbt.xreg'), 'utf8').replace('import "../lib/blocks.xreg"', `import "${path.join(root, 'programs', 'lib', 'blocks.xreg')}"`);

/** The population's network trained as one model: the population block's body at top level, no exploit. */
export const oneModelText = (pbt: string): string => {
  const one = pbt.replace(/population 20 \{([\s\S]*?)\n\}\nevery 1 epoch: exploit[^\n]*\n/, (_m, body: string) => `${body.trim()}\n`);
  if (one === pbt) throw new Error('pbt.xreg changed: update bench/peers/population.ts');
  return one;
};

export interface EpochTimes {
  /** Wall seconds of one epoch of all members (2-epoch run less 1-epoch run). */
  readonly population: number;
  readonly one: number;
  /** CPU seconds of the process tree in that epoch (less sensitive to the load than wall time, never to waiting). */
  readonly populationCpu: number;
  readonly oneCpu: number;
  /** Steps in an epoch (the runs' manifest). */
  readonly spe: number;
  readonly load: string;
}

/** Wall seconds of `xreg run FILE --epochs N` (and the process tree's CPU seconds). */
const timed = (bin: string, file: string, epochs: number, out: string, extra: readonly string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number; spe: number } => {
  const times = `${out}.time`;
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', times, process.execPath, bin, 'run', file, '--epochs', String(epochs), '--out', out, '--quiet', ...extra], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${bin} run ${file} --epochs ${epochs} failed (${String(r.status)}): ${r.stderr.toString('utf8').slice(-2000)}`);
  const [wall, user, sys] = readFileSync(times, 'utf8').trim().split(/\s+/).map(Number);
  const spe = Number((JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { stepsPerEpoch?: unknown }).stepsPerEpoch);
  rmSync(out, { recursive: true, force: true });
  return { wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), spe };
};

/**
 * One round: population on `workers` for 1 and 2 epochs, the one model for 1 and 3 epochs (each
 * pair back to back, so a load change hits both runs of a difference alike).
 */
export const populationRound = (o: {
  readonly bin: string;
  readonly workers: number;
  readonly scratch: string;
  readonly log?: (line: string) => void;
  /** The runs' environment: one wasm thread per process unless the caller's user asked otherwise (oneThreadEach). */
  readonly env?: NodeJS.ProcessEnv;
}): EpochTimes => {
  const env = o.env ?? oneThreadEach();
  mkdirSync(o.scratch, { recursive: true });
  const pbt = pbtText();
  const pop = path.join(o.scratch, 'pbt.xreg');
  const one = path.join(o.scratch, 'one.xreg');
  writeFileSync(pop, pbt);
  writeFileSync(one, oneModelText(pbt));
  const before = loadAverage();
  let spe = NaN;
  /**
   * `times` runs of 1 and of `epochs` epochs, the fastest of each kept (a load spike only ever slows
   * a run down); their difference over `epochs − 1` is one epoch.
   */
  const runs = (file: string, extra: readonly string[], times: number, epochs: number): { wall: number; cpu: number } => {
    const fastest = (e: number): { wall: number; cpu: number; spe: number } =>
      Array.from({ length: times }, () => timed(o.bin, file, e, path.join(o.scratch, `e${e}`), extra, env)).reduce((x, y) => (y.wall < x.wall ? y : x));
    const a = fastest(1);
    const b = fastest(epochs);
    spe = a.spe;
    o.log?.(`  ${path.basename(file)}: 1 epoch ${a.wall.toFixed(1)} s wall (${a.cpu.toFixed(1)} s CPU), ${epochs} epochs ${b.wall.toFixed(1)} s wall (${b.cpu.toFixed(1)} s CPU); load ${loadAverage()}`);
    return { wall: (b.wall - a.wall) / (epochs - 1), cpu: (b.cpu - a.cpu) / (epochs - 1) };
  };
  const population = runs(pop, ['--workers', String(o.workers)], 1, 2);
  // The one model's epoch is a few seconds, and its runs' start-up (data, compile) varies by a few
  // tenths: its difference is taken over 2 epochs, each length the fastest of three runs.
  const oneModel = runs(one, [], 3, 3);
  return { population: population.wall, one: oneModel.wall, populationCpu: population.cpu, oneCpu: oneModel.cpu, spe, load: `${before} → ${loadAverage()}` };
};

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  const rounds = Number(arg('rounds', '2'));
  const workers = Number(arg('workers', String(availableParallelism())));
  const bins = arg('bin', path.join(root, 'bin', 'xreg.js')).split(',').map((b) => path.resolve(b));
  const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-peers-pop-'));
  const seen = new Map<string, EpochTimes[]>();
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate the order of the builds, so that neither always meets the same moment of the load.
      for (const bin of r % 2 === 0 ? bins : [...bins].reverse()) {
        console.error(`round ${r + 1}/${rounds}, ${bin}:`);
        const t = populationRound({ bin, workers, scratch: path.join(scratch, String(r)), log: (l) => console.error(l) });
        console.error(`  population ${t.population.toFixed(1)} s per epoch, one model ${t.one.toFixed(1)} s: ${(t.population / t.one).toFixed(2)}×; CPU ${t.populationCpu.toFixed(1)} s and ${t.oneCpu.toFixed(1)} s (load ${t.load})`);
        seen.set(bin, [...(seen.get(bin) ?? []), t]);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`population of 20 on ${workers} workers against one model, per epoch of pbt.xreg; ${rounds} rounds; node ${process.version}; load now ${loadAverage()}`);
  console.log('| build | round | population s/epoch | one model s/epoch | ratio | population CPU s/epoch | one model CPU s/epoch | load before → after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const [bin, ts] of seen) {
    const name = path.relative(process.cwd(), bin);
    ts.forEach((t, i) =>
      console.log(`| ${name} | ${i + 1} | ${t.population.toFixed(1)} | ${t.one.toFixed(1)} | ${(t.population / t.one).toFixed(2)} | ${t.populationCpu.toFixed(1)} | ${t.oneCpu.toFixed(1)} | ${t.load} |`),
    );
    const med = (f: (t: EpochTimes) => number): string => median(ts.map(f)).toFixed(1);
    console.log(`| ${name} | median | ${med((t) => t.population)} | ${med((t) => t.one)} | ${median(ts.map((t) => t.population / t.one)).toFixed(2)} | ${med((t) => t.populationCpu)} | ${med((t) => t.oneCpu)} | |`);
  }
}
