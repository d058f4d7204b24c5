/**
 * `xreg run --workers N`: the members of a sweep trained by N worker processes at once, each with
 * its own TensorFlow.js backend. Worker k runs `xreg run --shard k/N` (runtime/parts.ts: members
 * k, k+N, …) into a part folder, and the parts are joined by `xreg merge` (runtime/merge.ts), so
 * each member's records and checkpoint are those of the sequential run, bit for bit: a member's
 * training depends on its index and the seed only. The parts live in a hidden folder beside the
 * run folder; the run folder is written only when every worker succeeded, and a failure leaves
 * nothing behind but the error, naming the worker's members.
 *
 * A population is not split: its members exchange parameters at every exploit, which would need
 * a round trip between processes at each one; it trains in one process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { mergeRuns, type RegistryFor } from '../../runtime/merge.js';

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
 * The `xreg run` arguments for worker `k` of `n`: the user's, less the options the pool sets itself
 * (`--workers`, `--out`, `--quiet`, `--force`), plus `--shard k/n --out PART --quiet`.
 */
export const workerArgs = (argv: readonly string[], k: number, n: number, partDir: string): string[] => {
  const dropWithValue = new Set(['--workers', '--out']);
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
  return [...kept, '--shard', `${k}/${n}`, '--out', partDir, '--quiet'];
};

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
  readonly out: string;
  readonly workers: number;
  readonly members: number;
  /** The user's `xreg run` arguments (`run FILE …`), as typed. */
  readonly argv: readonly string[];
  readonly force: boolean;
  /** Ctrl-C reached the workers too (one process group): they checkpoint their parts and stop. */
  readonly interrupted: () => boolean;
  /** The program's functions, for the merge of an ensemble (it evaluates the joined ensemble). */
  readonly registryFor?: RegistryFor;
}

/** Trains the sweep's members in `workers` processes and merges them into `out`; the exit code. */
export const runPool = async (r: PoolRun, io: PoolIO, spawnWorker: SpawnWorker = defaultSpawn): Promise<number> => {
  if (existsSync(r.out) && readdirSync(r.out).length > 0 && !r.force) {
    io.error(`error: ${r.out} already holds files; give another --out, or --force to replace them`);
    return 1;
  }
  const parts = path.join(path.dirname(r.out), `.${path.basename(r.out)}.parts`);
  await fs.rm(parts, { recursive: true, force: true });
  await fs.mkdir(parts, { recursive: true });
  const dirs = [...Array(r.workers).keys()].map((k) => path.join(parts, `part-${k}`));
  const t0 = Date.now();
  const started = dirs.map((dir, k) => ({ k, dir, w: spawnWorker(workerArgs(r.argv, k, r.workers, dir)) }));
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
      if (stopped.has(k)) return;
      failures.push(`worker ${k + 1}/${r.workers} (members ${members}) failed with exit code ${code}:\n${tail(stderr)}`);
      // The first failure stops the others: the run fails as a whole.
      for (const o of started) {
        if (o.k === k || stopped.has(o.k)) continue;
        stopped.add(o.k);
        o.w.kill();
      }
    }),
  );
  if (r.interrupted()) {
    // Each worker saved a checkpoint of its part when interrupted: keep them to resume.
    io.error(`interrupted: the parts are in ${parts}; resume each with xreg run --resume ${path.join(parts, 'part-K')}, then join them with xreg merge ${path.join(parts, 'part-*')} --out ${r.out}`);
    return 130;
  }
  if (failures.length > 0) {
    for (const f of failures) io.error(`error: ${f}`);
    io.error(`error: the run failed; nothing was written to ${r.out}`);
    await fs.rm(parts, { recursive: true, force: true });
    return 1;
  }
  if (r.force) await fs.rm(r.out, { recursive: true, force: true });
  const code = await mergeRuns(dirs, r.out, r.argv, io, r.registryFor);
  await fs.rm(parts, { recursive: true, force: true });
  return code;
};
