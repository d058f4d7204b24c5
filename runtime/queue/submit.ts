/**
 * `xreg submit`: checks the program here (a compile error is reported now, not by every worker),
 * then enqueues its members as one BullMQ flow whose parent merges them.
 */
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FlowProducer, Queue } from 'bullmq';
import { compileText } from '../../compiler/compile.js';
import { hasErrors, type Diagnostic } from '../../dsl/diagnostic.js';
import { sha256Text } from '../results/manifest.js';
import { defaultOutDir, type SetValue } from '../run.js';
import { seedListRefusal, usageError } from '../seeds.js';
import { unrollEnsemble } from '../../compiler/lower/ensemble.js';
import { coupledRule, EnsembleCodes } from '../ensemble-parts.js';
import type { BackendRequest } from '../backend/select.js';
import type { Registry } from '../../stdlib/registry.js';
import { connectionOf, memberJobId, mergeJobId, runId, type MemberJob, type MergeJob, type Settings } from './jobs.js';

export interface SubmitOptions {
  readonly file: string;
  readonly redis: string;
  readonly queue: string;
  readonly out?: string;
  readonly set: Readonly<Record<string, SetValue>>;
  readonly checkpointEvery: number;
  readonly seed?: number;
  /** A seed list: one member per seed (runtime/seeds.ts). */
  readonly seeds?: readonly number[];
  readonly steps?: number;
  readonly epochs?: number;
  readonly evalLimit?: number;
  readonly backend?: BackendRequest;
  /** `--plugin` modules given on the command line (the program's own are found by each worker). */
  readonly plugins: readonly string[];
  /** The standard library and the program's plugins, as the submitting machine resolves them. */
  readonly registry: Registry;
  /** Attempts per member (a member stopped or lost mid-way is retried from its checkpoint). */
  readonly attempts: number;
  /** A population: how long a member waits at an exploit for the others before deciding without them. */
  readonly exploitTimeoutMs: number;
  readonly argv: readonly string[];
}

export interface Submitted {
  readonly run: string;
  readonly population: boolean;
  readonly out: string;
  readonly members: number;
}

const readText = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(`cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
};

/** Enqueues the run; Left: why not (a compile error rendered by `render`, a program that cannot be split). */
export const submitRun = async (o: SubmitOptions, render: (ds: readonly Diagnostic[]) => string, now: Date = new Date()): Promise<E.Either<string, Submitted>> => {
  const file = path.resolve(o.file);
  const text = readText(file);
  if (E.isLeft(text)) return text;
  const compiled = compileText(text.right, file, { readFile: readText, overrides: o.set, registry: o.registry });
  if (hasErrors(compiled.diagnostics) || compiled.ir === undefined) return E.left(render(compiled.diagnostics));
  const ir = compiled.ir;
  if (o.seeds !== undefined) {
    const refused = seedListRefusal(ir, o.file, o.seeds);
    if (refused !== undefined) return E.left(refused);
  }
  if (o.seeds === undefined && ir.ensemble !== undefined) {
    const coupled = coupledRule(unrollEnsemble(ir).ir);
    // Compiled from its absolute path (every worker reads it there); said as the user gave it.
    if (coupled !== undefined) return E.left(usageError(EnsembleCodes.coupled, coupled.split(file).join(o.file)));
  }
  const members = o.seeds?.length ?? ir.sweep?.members.length ?? ir.population?.size ?? ir.ensemble?.size;
  if (members === undefined) {
    return E.left(`${o.file} is a single model: only the members of a sweep, an ensemble, a population or a seed list (--seeds 0..4) are spread over workers; run it with xreg run`);
  }
  const out = path.resolve(o.out ?? defaultOutDir(file, now));
  if (existsSync(path.join(out, 'manifest.json'))) return E.left(`${out} already holds a run: give another --out`);
  const run = runId(out);
  const connection = connectionOf(o.redis, 'client');
  const queue = new Queue(o.queue, { connection });
  const flow = new FlowProducer({ connection });
  // Connection errors surface as the rejected calls below; unheard, the client would print each retry.
  queue.on('error', () => undefined);
  flow.on('error', () => undefined);
  try {
    if ((await queue.getJob(mergeJobId(run))) !== undefined) return E.left(`run ${run} is already in queue '${o.queue}' (see xreg status); give another --out`);
    const settings: Settings = {
      file,
      sha256: sha256Text(text.right),
      set: { ...o.set },
      checkpointEvery: o.checkpointEvery,
      out,
      members,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.seeds !== undefined ? { seeds: [...o.seeds] } : {}),
      ...(o.steps !== undefined ? { steps: o.steps } : {}),
      ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
      ...(o.evalLimit !== undefined ? { evalLimit: o.evalLimit } : {}),
      ...(o.backend !== undefined ? { backend: o.backend } : {}),
      ...(ir.population !== undefined ? { exploitTimeoutMs: o.exploitTimeoutMs } : {}),
      ...(o.plugins.length > 0 ? { plugins: o.plugins.map((p) => path.resolve(p)) } : {}),
    };
    const merge: MergeJob = { ...settings, argv: [...o.argv] };
    await flow.add({
      name: 'merge',
      queueName: o.queue,
      data: merge,
      opts: { jobId: mergeJobId(run), attempts: o.attempts },
      children: [...Array(members).keys()].map((index) => {
        const data: MemberJob = { ...settings, index };
        return {
          name: 'member',
          queueName: o.queue,
          data,
          opts: { jobId: memberJobId(run, index), attempts: o.attempts, backoff: { type: 'fixed', delay: 1000 }, failParentOnFailure: true },
        };
      }),
    });
    return E.right({ run, out, members, population: ir.population !== undefined });
  } catch (e) {
    return E.left(`cannot reach Redis at ${o.redis} (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    await flow.close();
    await queue.close();
  }
};
