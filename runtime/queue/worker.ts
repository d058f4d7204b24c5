/**
 * `xreg worker`: takes member and merge jobs from the queue. A member trains in its own folder under
 * the run folder, with checkpoints there; when a job comes back after its worker died (BullMQ finds
 * its lock expired and hands it to another worker), the member resumes from its last checkpoint and
 * its metrics.jsonl is cut back to that checkpoint, so no step is lost and no record counted twice.
 */
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import * as os from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import type { Registry } from '../../stdlib/registry.js';
import { BackendRequest, selectBackend } from '../backend/select.js';
import { checkpointPath } from '../checkpoint/store.js';
import { LOCK_FILE } from '../folder/lock.js';
import { mergeRuns } from '../merge.js';
import { readManifest, sha256Text } from '../results/manifest.js';
import { runProgram, type RunOptions } from '../run.js';
import { connectionOf, exchangeDir, memberDir, MemberJob, MergeJob, type Progress, type Settings } from './jobs.js';

export interface WorkerOptions {
  readonly redis: string;
  readonly queue: string;
  readonly concurrency: number;
  /** A job whose worker has not renewed its lock for this long is given to another worker. */
  readonly lockMs: number;
  readonly name?: string;
  readonly log: (line: string) => void;
  readonly renderDiagnostics: (ds: readonly Diagnostic[]) => string;
  /** The standard library and the program's plugins (the CLI resolves them as `xreg run` does). */
  readonly registryFor: (file: string, text: string, plugins: readonly string[]) => Promise<E.Either<readonly Diagnostic[], Registry>>;
}

const decode = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, job: Job): A => {
  const d = codec.decode(job.data);
  if (E.isLeft(d)) throw new UnrecoverableError(`job ${job.id ?? '?'}: not an xreg job of this version`);
  return d.right;
};

/** The program's text, checked against the one submitted. */
const checkProgram = (s: Settings): string => {
  let text: string;
  try {
    text = readFileSync(s.file, 'utf8');
  } catch {
    throw new UnrecoverableError(`${s.file}: not readable on this worker (${os.hostname()}); the program file must be at the same path on every worker`);
  }
  if (sha256Text(text) !== s.sha256) throw new UnrecoverableError(`${s.file} on this worker (${os.hostname()}) differs from the file submitted`);
  return text;
};

export const startWorker = (o: WorkerOptions): { readonly worker: Worker; readonly stop: () => Promise<void> } => {
  const me = o.name ?? `${os.hostname()}:${process.pid}`;
  let stopping = false;
  const lost = new Set<string>();

  // The backend is chosen once, before the first member: members started side by side
  // (--concurrency) would each start choosing, and one could end on a slower backend than the
  // others, with other rounding (found by the population test: two members on 'cpu', two on 'wasm').
  let backend: ReturnType<typeof selectBackend> | undefined;

  const member = async (job: Job, d: MemberJob): Promise<{ member: number; steps: number }> => {
    const registry = await o.registryFor(d.file, checkProgram(d), d.plugins ?? []);
    if (E.isLeft(registry)) throw new UnrecoverableError(o.renderDiagnostics(registry.left));
    const dir = memberDir(d.out, d.index);
    const tag = `[${job.id ?? d.index}]`;
    const previous = await readManifest(dir);
    if (previous?.outcome === 'completed') {
      o.log(`${tag} member ${d.index} already completed in ${dir}`);
      return { member: d.index, steps: 0 };
    }
    // A checkpoint there means an earlier attempt got that far: continue from it.
    const resume = existsSync(checkpointPath(dir)) && previous !== undefined;
    // The queue, not the folder, says who trains a member: BullMQ handed this job over because its
    // last worker stopped renewing the job's lock. That worker's run.lock (on another host it
    // cannot be seen to be stale) would keep the member from ever resuming.
    const held = await readFile(path.join(dir, LOCK_FILE), 'utf8').catch(() => undefined);
    if (held !== undefined) {
      o.log(`${tag} member ${d.index}: taking over from the lost worker (${held.trim()})`);
      await rm(path.join(dir, LOCK_FILE), { force: true });
    }
    const errors: string[] = [];
    let lastReport = 0;
    const opts: RunOptions = {
      file: d.file,
      registry: registry.right,
      set: d.set,
      checkpointEvery: d.checkpointEvery,
      argv: ['run', d.file, '--member', String(d.index), '--out', dir],
      ...(d.exploitTimeoutMs !== undefined ? { exchange: { dir: exchangeDir(d.out), timeoutMs: d.exploitTimeoutMs } } : {}),
      // Without a checkpoint, an earlier attempt's records are replaced (--force).
      ...(resume ? { resume: dir } : { out: dir, part: { kind: 'member', index: d.index }, force: true }),
      ...(d.seed !== undefined ? { seed: d.seed } : {}),
      ...(d.seeds !== undefined ? { seeds: d.seeds } : {}),
      ...(d.steps !== undefined ? { steps: d.steps } : {}),
      ...(d.epochs !== undefined ? { epochs: d.epochs } : {}),
      ...(d.evalLimit !== undefined ? { evalLimit: d.evalLimit } : {}),
      ...(d.backend !== undefined ? { backend: d.backend } : {}),
    };
    o.log(`${tag} member ${d.index}${resume ? ' resumed from its checkpoint' : ''} (attempt ${job.attemptsMade + 1})`);
    const chosen = await (backend ??= selectBackend(d.backend));
    if (E.isLeft(chosen)) throw new UnrecoverableError(`no backend on ${me}: ${chosen.left}`);
    // Named, so that each member activates the one chosen instead of probing the others again.
    const name = chosen.right.name;
    const code = await runProgram(BackendRequest.is(name) ? { ...opts, backend: name } : opts, {
      info: () => undefined,
      error: (l) => {
        errors.push(l);
        // A population's exploit notes (a member late, replaced) belong in the worker's log.
        if (l.startsWith('note:')) o.log(`${tag} ${l}`);
      },
      renderDiagnostics: o.renderDiagnostics,
      shouldStop: () => stopping || lost.has(job.id ?? ''),
      onStep: (m, info) => {
        const now = Date.now();
        if (now - lastReport < 500 && m.state.step < info.total) return;
        lastReport = now;
        const p: Progress = { step: m.state.step, total: info.total, worker: me };
        void job.updateProgress(p).catch(() => undefined);
      },
    });
    if (code === 0) {
      o.log(`${tag} member ${d.index} done`);
      return { member: d.index, steps: (await readManifest(dir))?.stepsRun ?? 0 };
    }
    const why = errors.filter((l) => l.startsWith('error') || l.startsWith('interrupted')).join('; ') || `exit ${code}`;
    o.log(`${tag} member ${d.index} stopped: ${why}`);
    // Stopped (this worker shutting down): retried, from the checkpoint just saved. Failed: the same
    // program would fail the same way again.
    if (code === 130) throw new Error(`stopped on ${me}; the checkpoint in ${dir} is resumed by the next attempt`);
    throw new UnrecoverableError(why);
  };

  const merge = async (job: Job, d: MergeJob): Promise<{ merged: number }> => {
    const errors: string[] = [];
    const dirs = [...Array(d.members).keys()].map((i) => memberDir(d.out, i));
    const registryFor = async (file: string) => E.mapLeft(o.renderDiagnostics)(await o.registryFor(file, checkProgram(d), d.plugins ?? []));
    const code = await mergeRuns(dirs, d.out, d.argv, { info: () => undefined, error: (l) => void errors.push(l) }, registryFor);
    if (code !== 0) throw new UnrecoverableError(errors.join('; '));
    o.log(`[${job.id ?? 'merge'}] merged ${d.members} members into ${d.out}`);
    return { merged: d.members };
  };

  const worker = new Worker(
    o.queue,
    async (job: Job) => {
      if (job.name === 'member') return member(job, decode(MemberJob, job));
      if (job.name === 'merge') return merge(job, decode(MergeJob, job));
      throw new UnrecoverableError(`unknown job kind '${job.name}'`);
    },
    {
      connection: connectionOf(o.redis, 'worker'),
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: Math.max(500, Math.floor(o.lockMs / 2)),
      // A worker killed mid-member leaves its job stalled; it is handed out again (and resumed) up
      // to this many times before it counts as failed.
      maxStalledCount: 10,
      name: me,
    },
  );
  // Another worker may now hold this job: stop training it at the next step.
  worker.on('lockRenewalFailed', (ids: string[]) => {
    for (const id of ids) lost.add(id);
  });
  worker.on('failed', (job, err) => o.log(`[${job?.id ?? '?'}] failed: ${err.message}`));
  worker.on('error', (err) => o.log(`worker: ${err.message}`));
  return {
    worker,
    stop: async () => {
      stopping = true;
      await worker.close();
    },
  };
};
