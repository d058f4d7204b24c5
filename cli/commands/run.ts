/**
 * `xreg run FILE [--out DIR] [--steps N | --epochs N] [--seed S] [--backend B] [--set name=value ...]
 * [--resume DIR] [--member I | --shard I/N] [--checkpoint-every N] [--eval-limit N] [--quiet] [--force] [--allow-divergence]`: options decoded with io-ts, then runtime/run.ts.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import { renderDiagnostic } from '../../dsl/render.js';
import { BackendRequest } from '../../runtime/backend/select.js';
import {
  addRateSample,
  etaSeconds,
  formatRate,
  formatSeconds,
  latestValues,
  lineDue,
  progressLine,
  recentRate,
  type RateSample,
} from '../../runtime/results/progress.js';
import { epochOf } from '../../runtime/exec/schedule.js';
import { parseShard } from '../../runtime/parts.js';
import { parseSeeds, SeedCodes, usageError } from '../../runtime/seeds.js';
import { DEFAULT_CHECKPOINT_EVERY, defaultOutDir, runProgram, type RunIO, type RunOptions, type SetValue } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { readTextSync } from '../check.js';
import { registryForFile } from '../plugins/registry.js';
import { defaultWorkers, runPool } from './run-pool.js';
import { applyWasmThreadsDefault } from './wasm-threads-default.js';
import { poolPlan } from './pool-plan.js';

/** A positive integer given as text on the command line. */
const PositiveInt = new t.Type<number, string, unknown>(
  'PositiveInt',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u > 0,
  (u, c) => {
    const n = typeof u === 'string' && /^\d+$/.test(u.trim()) ? Number(u) : NaN;
    return Number.isInteger(n) && n > 0 ? t.success(n) : t.failure(u, c, `expected a positive integer, got '${String(u)}'`);
  },
  String,
);
/** An integer seed (0 allowed). */
const Seed = new t.Type<number, string, unknown>(
  'Seed',
  (u): u is number => typeof u === 'number' && Number.isInteger(u),
  (u, c) => (typeof u === 'string' && /^-?\d+$/.test(u.trim()) ? t.success(Number(u)) : t.failure(u, c, `expected an integer seed, got '${String(u)}'`)),
  String,
);

/** A member index (0 allowed). */
const Index = new t.Type<number, string, unknown>(
  'Index',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0,
  (u, c) => (typeof u === 'string' && /^\d+$/.test(u.trim()) ? t.success(Number(u)) : t.failure(u, c, `expected a member index (0, 1, 2, …), got '${String(u)}'`)),
  String,
);

const RawOptions = t.partial({
  member: Index,
  shard: t.string,
  out: t.string,
  steps: PositiveInt,
  epochs: PositiveInt,
  seed: Seed,
  backend: BackendRequest,
  set: t.array(t.string),
  resume: t.string,
  checkpointEvery: PositiveInt,
  evalLimit: PositiveInt,
  exchange: t.string,
  exploitTimeout: PositiveInt,
  quiet: t.boolean,
  plugin: t.array(t.string),
  force: t.boolean,
  allowDivergence: t.boolean,
  workers: PositiveInt,
  seeds: t.string,
});

/** `name=value` with the value read as a number, a boolean or else a string. */
export const parseSet = (pair: string): E.Either<string, [string, SetValue]> => {
  const eq = pair.indexOf('=');
  if (eq <= 0) return E.left(`--set ${pair}: expected name=value`);
  const name = pair.slice(0, eq).trim();
  const raw = pair.slice(eq + 1).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) return E.left(`--set ${pair}: '${name}' is not a name`);
  const value: SetValue = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return E.right([name, value]);
};

const firstMessage = (errs: t.Errors): string => {
  const e = errs[0];
  if (e === undefined) return 'bad options';
  const key = e.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k))[0] ?? '';
  const flag = key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
  const what = e.message ?? (key === 'backend' ? `expected one of ${Object.keys(BackendRequest.keys).join(', ')}, got '${String(e.value)}'` : `bad value '${String(e.value)}'`);
  return `--${flag}: ${what}`;
};

export const decodeRunOptions = (
  file: string,
  raw: unknown,
  argv: readonly string[],
): E.Either<string, Omit<RunOptions, 'registry'> & { readonly quiet: boolean; readonly plugins: readonly string[]; readonly workers: number; readonly workersAsked: boolean }> =>
  pipe(
    RawOptions.decode(raw),
    E.mapLeft(firstMessage),
    E.chain((o) => {
      if (o.steps !== undefined && o.epochs !== undefined) return E.left('--steps and --epochs are alternatives: give one');
      if (o.member !== undefined && o.shard !== undefined) return E.left('--member and --shard are alternatives: give one');
      if (o.seeds !== undefined && o.seed !== undefined) {
        return E.left(usageError(SeedCodes.withSeed, `--seed ${o.seed} and --seeds ${o.seeds} are alternatives`, `--seed trains one model; --seeds trains one per seed of the list (add ${o.seed} to the list if you want it)`));
      }
      const seeds = o.seeds !== undefined ? parseSeeds(o.seeds) : E.right(undefined);
      if (E.isLeft(seeds)) return seeds;
      const part = o.shard !== undefined ? parseShard(o.shard) : E.right(o.member !== undefined ? ({ kind: 'member', index: o.member } as const) : undefined);
      if (E.isLeft(part)) return part;
      const set: Record<string, SetValue> = {};
      for (const p of o.set ?? []) {
        const kv = parseSet(p);
        if (E.isLeft(kv)) return kv;
        set[kv.right[0]] = kv.right[1];
      }
      return E.right({
        file,
        set,
        checkpointEvery: o.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
        argv,
        quiet: o.quiet === true,
        plugins: o.plugin ?? [],
        workers: o.workers ?? defaultWorkers(),
        workersAsked: o.workers !== undefined,
        ...(o.out !== undefined ? { out: o.out } : {}),
        ...(o.steps !== undefined ? { steps: o.steps } : {}),
        ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(seeds.right !== undefined ? { seeds: seeds.right } : {}),
        ...(o.backend !== undefined ? { backend: o.backend } : {}),
        ...(o.resume !== undefined ? { resume: o.resume } : {}),
        ...(part.right !== undefined ? { part: part.right } : {}),
        ...(o.exchange !== undefined ? { exchange: { dir: o.exchange, timeoutMs: (o.exploitTimeout ?? 600) * 1000 } } : {}),
        ...(o.evalLimit !== undefined ? { evalLimit: o.evalLimit } : {}),
        ...(o.force === true ? { force: true } : {}),
        ...(o.allowDivergence === true ? { allowDivergence: true } : {}),
      });
    }),
  );

export const sourceOf = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

export const renderAll = (ds: readonly Diagnostic[]): string => ds.map((d) => renderDiagnostic(d, sourceOf(d.span.file))).join('\n');

/** A stream the progress goes to: stderr, so that stdout holds what the run says and its results. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly write: (s: string) => unknown;
}

/**
 * Terminal I/O: a progress bar (steps over all members, epoch, ETA, the latest values) when the
 * progress stream is a terminal; otherwise a plain line at the first step, then at most every
 * `everyMs`, and at the last step (CI logs); nothing with --quiet.
 */
export const terminalIO = (
  quiet: boolean,
  stop: () => boolean,
  streams: { readonly out: ProgressStream; readonly err: ProgressStream } = { out: process.stdout, err: process.stderr },
  everyMs = 5000,
): RunIO => {
  const progress = streams.err;
  const tty = progress.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let latest = '';
  let losses: readonly string[] = [];
  let members = 1;
  let overall = 0;
  let done = 0;
  let startedAt = 0;
  let samples: readonly RateSample[] = [];
  let lastLine: number | undefined;
  return {
    info: (l) => void streams.out.write(l + '\n'),
    error: (l) => void streams.err.write(l + '\n'),
    renderDiagnostics: renderAll,
    shouldStop: stop,
    onStart: (p) => {
      members = p.members;
      overall = p.total * p.members;
      done = p.from;
      startedAt = p.from;
      losses = p.losses;
      samples = [];
      if (quiet || !tty) return;
      bar = new cliProgress.SingleBar(
        {
          // Rate and ETA from the last 30 s (progress.ts), not cli-progress's own over the last updates.
          format: '{bar} {value}/{total} steps | {member}epoch {epoch} | {rate} | ETA {eta} | {latest}',
          hideCursor: true,
          stream: progress as NodeJS.WritableStream,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(overall, done, { epoch: 0, member: '', latest: '', rate: '', eta: '?' });
    },
    onReport: (r) => {
      latest = latestValues(r, losses);
    },
    onStep: (m, info) => {
      done++;
      if (quiet) return;
      // The epoch of the step just taken: the last step of epoch 0 is step `spe`, not epoch 1.
      const epoch = epochOf(Math.max(0, m.state.step - 1), info.clock);
      const member = members > 1 ? `member ${m.index + 1}/${members} ` : '';
      const now = Date.now();
      samples = addRateSample(samples, { t: now, done });
      const rate = recentRate(samples);
      if (bar !== undefined) {
        const eta = formatSeconds(etaSeconds({ done, total: overall, startedAt, rate }));
        bar.update(done, { epoch, member, latest, rate: formatRate(rate), eta });
        return;
      }
      if (!lineDue(now, lastLine, done, overall, everyMs)) return;
      lastLine = now;
      progress.write(progressLine({ done, total: overall, startedAt, rate, epoch, member, latest }) + '\n');
    },
    onEnd: () => bar?.stop(),
  };
};

export const registerRun = (program: Command): Command =>
  program
    .command('run')
    .description('train a program and write its results (metrics.jsonl, manifest.json, checkpoints)')
    .argument('<file>', '.xreg program')
    .option('--out <dir>', 'results folder (default runs/<program>-<timestamp>)')
    .option('--steps <n>', 'run this many steps instead of the program length')
    .option('--epochs <n>', 'run this many epochs instead of the program length')
    .option('--seed <s>', 'random seed (default: the program seed)')
    .option('--seeds <list>', 'train once per seed, each seed a member (0,1,2 or 0..4); the summary gives mean ± sd over seeds')
    .option('--backend <name>', 'webgpu, tensorflow-gpu, tensorflow, wasm or cpu (default: fastest available)')
    .option('--set <name=value...>', 'override a let constant')
    .option('--resume <dir>', 'continue the run saved in this folder')
    .option('--member <i>', 'train only member i of the sweep, population or seed list (from 0), into its own folder; join the parts with xreg merge')
    .option('--shard <i/n>', 'train members i, i+n, i+2n, … of the sweep, population or seed list (part i of n, from 0), into its own folder')
    .option('--exchange <dir>', "a population's parts: the shared folder they exploit through (see docs/distributed.md)")
    .option('--exploit-timeout <s>', 'with --exchange: seconds to wait at an exploit for the other members before deciding without them (default 600)')
    .option('--checkpoint-every <n>', `save a checkpoint every n steps (default ${DEFAULT_CHECKPOINT_EVERY})`)
    .option('--eval-limit <n>', 'evaluate whole-split metrics on a fixed subset of at most n examples (faster reports; default: all)')
    .option('--workers <n>', 'train the members of a sweep or population in n processes at once (default: one per core)')
    .option('--quiet', 'no progress output')
    .option('--plugin <path...>', 'load a plugin module besides those the program and xreg.config.json name')
    .option('--force', 'replace the run already in the --out folder (its results are deleted)')
    .option('--allow-divergence', 'go on after a parameter becomes NaN or infinite, whatever the program\'s \'on divergence\' says (default: stop, outcome "diverged", exit 1)')
    .action(async (file: string, raw: unknown) => {
      const o = decodeRunOptions(file, raw, process.argv.slice(2));
      if (E.isLeft(o)) {
        process.stderr.write(o.left.startsWith('error[') ? `${o.left}\n` : `xreg run: ${o.left}\n`);
        process.exitCode = 2;
        return;
      }
      const registry = await registryForFile(standardLibrary, file, sourceOf(file), readTextSync, { flags: o.right.plugins });
      if (E.isLeft(registry)) {
        process.stderr.write(`${renderAll(registry.left)}\n`);
        process.exitCode = 1;
        return;
      }
      let interrupted = false;
      const onSigint = (): void => {
        if (interrupted) process.exit(130);
        interrupted = true;
        process.stderr.write('\ninterrupt: finishing the current step and saving a checkpoint (Ctrl-C again to quit at once)\n');
      };
      process.on('SIGINT', onSigint);
      try {
        const io = terminalIO(o.right.quiet, () => interrupted);
        const out = o.right.resume ?? o.right.out ?? defaultOutDir(file, new Date());
        const pool = poolPlan(o.right, registry.right, out);
        applyWasmThreadsDefault(process.env, availableParallelism(), pool.workers);
        io.info(pool.line);
        process.exitCode =
          pool.workers > 1
            ? await runPool(
                {
                  file,
                  out,
                  workers: pool.workers,
                  members: pool.members,
                  mode: pool.mode,
                  resume: pool.resume,
                  argv: process.argv.slice(2),
                  force: o.right.force === true,
                  interrupted: () => interrupted,
                  registryFor: () => Promise.resolve(E.right(registry.right)),
                },
                io,
              )
            : await runProgram({ ...o.right, registry: registry.right }, io);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
