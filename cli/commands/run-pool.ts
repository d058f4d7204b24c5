/**
 * `xreg run --workers N`: the members of a sweep or a population trained by N worker processes at
 * once, each with its own TensorFlow.js backend. Worker k runs `xreg run --shard k/N` (runtime/parts.ts:
 * members k, k+N, …) into a part folder, and the parts are joined by `xreg merge` (runtime/merge.ts),
 * so each member's records and checkpoint are those of the one-process run, bit for bit: a sweep
 * member's training depends on its index and the seed only. A population's workers hold several
 * members each, interleaved as one process interleaves them all, and exploit through an exchange
 * folder (runtime/exchange.ts, the machinery of a population split over machines): every member's
 * state and score go there, one plan drawn from all the scores as one process draws it decides the
 * copies, and each worker loads the states its members copy.
 *
 * The parts live in a hidden folder beside the run folder (pool-folders.ts); the run folder is
 * written only when every worker succeeded (merged aside, then renamed into place), and a failure
 * leaves nothing behind but the error, naming the worker's members. Interrupted, the workers
 * checkpoint their parts and the folder stays, for `--resume`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { writeExchangeSettings } from '../../runtime/exchange-settings.js';
import { mergeRuns, type RegistryFor } from '../../runtime/merge.js';
import { exchangeFolder, partFolder, partsFolder, poolFile, PoolRecord, stagingFolder, leftPool, type PoolMode } from './pool-folders.js';

export interface PoolIO {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

/** Starts one worker: the `xreg` arguments after the command; resolves to its exit code and its stderr. */
export type SpawnWorker = (args: readonly string[]) => { readonly done: Promise<{ code: number; stderr: string }>; readonly kill: () => void };

/** The members worker `k` of `n` trains (round robin, as `--shard k/n`). */
export const workerMembers = (k: number, n: number, members: number): number[] => [...Array(members).keys()].filter((i) => i % n === k);

/** The default: one worker per core (what `os.availableParallelism` reports). */
export const defaultWorkers = (): number => availableParallelism();

/**
 * The user's `xreg run` arguments (`run FILE …`) less those the pool sets for each worker: where it
 * writes, which members it trains, the exchange, and the terminal options.
 */
const userArgs = (argv: readonly string[]): string[] => {
  const dropWithValue = new Set(['--workers', '--out', '--resume', '--shard', '--member', '--exchange', '--exploit-timeout']);
  const dropFlag = new Set(['--quiet', '--force']);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const name = a.split('=')[0] ?? a;
    if (dropWithValue.has(name)) {
      if (!a.includes('=')) i++;
      continue;
    }
    if (dropFlag.has(a)) continue;
    kept.push(a);
  }
  return kept;
};

/**
 * How long a population's worker waits at an exploit for the others: as long as it takes. The
 * pool stops every worker when one fails, so no member is ever late for good, and a member
 * decided without (ranked last) would make the run differ from the one-process run.
 */
export const POOL_EXPLOIT_TIMEOUT_S = 7 * 24 * 3600;

const exchangeArgs = (exchange: string | undefined): string[] => (exchange === undefined ? [] : ['--exchange', exchange, '--exploit-timeout', String(POOL_EXPLOIT_TIMEOUT_S)]);

/** The `xreg run` arguments for worker `k` of `n`: the user's, plus `--shard k/n --out PART --quiet` (and the exchange of a population). */
export const workerArgs = (argv: readonly string[], k: number, n: number, partDir: string, exchange?: string): string[] => [
  ...userArgs(argv),
  '--shard',
  `${k}/${n}`,
  '--out',
  partDir,
  ...exchangeArgs(exchange),
  '--quiet',
];

/** The arguments that continue worker `k`'s part of an interrupted pool. */
export const resumeArgs = (argv: readonly string[], partDir: string, exchange?: string): string[] => [...userArgs(argv), '--resume', partDir, ...exchangeArgs(exchange), '--quiet'];

/** The last lines of a worker's error output, for the run's own error. */
const tail = (text: string, lines = 6): string =>
  text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => `  ${l}`)
    .join('\n');

const defaultSpawn: SpawnWorker = (args) => {
  // The same Node and entry script as this process (bin/xreg.js), so workers run this build.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? 'bin/xreg.js', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const done = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('error', (e) => resolve({ code: 1, stderr: `${stderr}${String(e)}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal !== null ? 128 : 1), stderr }));
  });
  return { done, kill: () => void child.kill('SIGTERM') };
};

export interface PoolRun {
  /** The program file, for the messages (default: the one in `argv`). */
  readonly file?: string;
  readonly out: string;
  readonly workers: number;
  readonly members: number;
  /** What the members are (default 'sweep'); a population's workers exploit through an exchange folder. */
  readonly mode?: PoolMode;
  /** Continue the parts an interrupted pool left beside `out`. */
  readonly resume?: boolean;
  /** The user's `xreg run` arguments (`run FILE …`), as typed. */
  readonly argv: readonly string[];
  readonly force: boolean;
  /** Ctrl-C reached the workers too (one process group): they checkpoint their parts and stop. */
  readonly interrupted: () => boolean;
  /** The program's functions, for the merge of an ensemble (it evaluates the joined ensemble). */
  readonly registryFor?: RegistryFor;
}

const holdsFiles = (dir: string): boolean => existsSync(dir) && readdirSync(dir).length > 0;

/** Trains the members in `workers` processes and merges them into `out`; the exit code. */
export const runPool = async (r: PoolRun, io: PoolIO, spawnWorker: SpawnWorker = defaultSpawn): Promise<number> => {
  const parts = partsFolder(r.out);
  const file = r.file ?? r.argv[1] ?? 'FILE';
  const mode = r.mode ?? 'sweep';
  if (r.resume !== true) {
    if (holdsFiles(r.out) && !r.force) {
      io.error(`error: ${r.out} already holds files; give another --out, or --force to replace them`);
      return 1;
    }
    if (leftPool(r.out) !== undefined && !r.force) {
      io.error(`error: ${parts} holds the parts of an interrupted run into ${r.out}: continue it with xreg run ${file} --resume ${r.out}, or give --force to start over`);
      return 1;
    }
    await fs.rm(parts, { recursive: true, force: true });
    await fs.mkdir(parts, { recursive: true });
    await fs.writeFile(poolFile(parts), JSON.stringify(PoolRecord.encode({ workers: r.workers, members: r.members, mode })));
    // The workers start together and a failing one fails the run: none is lost after a plan while
    // others wait for a state it holds, so only the states copied need be written.
    if (mode === 'population') await writeExchangeSettings(exchangeFolder(parts), { states: 'copied' });
  }
  const exchange = mode === 'population' ? exchangeFolder(parts) : undefined;
  const dirs = [...Array(r.workers).keys()].map((k) => partFolder(parts, k));
  const t0 = Date.now();
  const started = dirs.map((dir, k) => ({
    k,
    dir,
    w: spawnWorker(r.resume === true ? resumeArgs(r.argv, dir, exchange) : workerArgs(r.argv, k, r.workers, dir, exchange)),
  }));
  const failures: string[] = [];
  const stopped = new Set<number>();
  await Promise.all(
    started.map(async ({ k, w }) => {
      const { code, stderr } = await w.done;
      const members = workerMembers(k, r.workers, r.members).join(', ');
      if (code === 0) {
        io.info(`worker ${k + 1}/${r.workers} done (members ${members}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return;
      }
      if (stopped.has(k) || r.interrupted()) return;
      failures.push(`worker ${k + 1}/${r.workers} (members ${members}) failed with exit code ${code}:\n${tail(stderr)}`);
      // The first failure stops the others: the run fails as a whole (a population's would wait for its members forever).
      for (const o of started) {
        if (o.k === k || stopped.has(o.k)) continue;
        stopped.add(o.k);
        o.w.kill();
      }
    }),
  );
  if (r.interrupted()) {
    // Each worker saved a checkpoint of its part when interrupted: keep them to resume.
    io.error(`interrupted: the parts are kept in ${parts}; continue with: xreg run ${file} --resume ${r.out}`);
    return 130;
  }
  if (failures.length > 0) {
    for (const f of failures) io.error(`error: ${f}`);
    io.error(`error: the run failed; nothing was written to ${r.out}`);
    await fs.rm(parts, { recursive: true, force: true });
    return 1;
  }
  // Merged aside and moved into place whole: a merge that fails leaves no half-written run folder.
  const staging = stagingFolder(parts);
  await fs.rm(staging, { recursive: true, force: true });
  const code = await mergeRuns(dirs, staging, r.argv, io, r.registryFor);
  let moved = code;
  if (code === 0) {
    try {
      if (r.force || !holdsFiles(r.out)) await fs.rm(r.out, { recursive: true, force: true });
      await fs.rename(staging, r.out);
    } catch (e) {
      io.error(`error: cannot write ${r.out} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      moved = 1;
    }
  }
  if (moved !== 0) io.error(`error: the run failed; nothing was written to ${r.out}`);
  await fs.rm(parts, { recursive: true, force: true });
  return moved;
};
