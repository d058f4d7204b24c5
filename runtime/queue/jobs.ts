/**
 * What travels through the queue: a run is a BullMQ flow, one `member` job per sweep member under
 * one `merge` job (the parent, run once every member has completed). Jobs carry paths, not
 * tensors: members write their folders under the run folder, which every worker must see.
 */
import * as path from 'node:path';
import * as t from 'io-ts';
import { BackendRequest } from '../backend/select.js';

export const DEFAULT_QUEUE = 'xreg';

const Settings = t.intersection([
  t.type({
    /** The program file, absolute: every worker reads it at this path. */
    file: t.string,
    /** Its SHA-256 at submission: a worker seeing another file refuses the job. */
    sha256: t.string,
    set: t.record(t.string, t.union([t.number, t.boolean, t.string])),
    checkpointEvery: t.number,
    /** The run folder, absolute; member I trains in `<out>/members/<I>`. */
    out: t.string,
    /** How many members the run has. */
    members: t.number,
  }),
  t.partial({
    seed: t.number,
    /** A seed list: member I is trained with seeds[I]. */
    seeds: t.array(t.number),
    steps: t.number,
    epochs: t.number,
    evalLimit: t.number,
    backend: BackendRequest,
    /** `--plugin` modules, absolute paths (those the program names are found from the program). */
    plugins: t.array(t.string),
    /** A population: how long a member waits at an exploit for the others' scores. */
    exploitTimeoutMs: t.number,
  }),
]);
export type Settings = t.TypeOf<typeof Settings>;

export const MemberJob = t.intersection([Settings, t.type({ index: t.number })]);
export type MemberJob = t.TypeOf<typeof MemberJob>;

export const MergeJob = t.intersection([Settings, t.type({ argv: t.array(t.string) })]);
export type MergeJob = t.TypeOf<typeof MergeJob>;

/** A member's progress as its worker reports it (`job.updateProgress`). */
export const Progress = t.type({ step: t.number, total: t.number, worker: t.string });
export type Progress = t.TypeOf<typeof Progress>;

export const memberDir = (out: string, index: number): string => path.join(out, 'members', String(index));

/** Where a population's members exploit through (runtime/exchange.ts). */
export const exchangeDir = (out: string): string => path.join(out, 'exchange');

/** A run's id: its folder's name, with what BullMQ job ids may not hold (`:`) replaced. */
export const runId = (out: string): string => path.basename(out).replace(/[^A-Za-z0-9_.-]/g, '_');

export const memberJobId = (run: string, index: number): string => `${run}.m${index}`;
export const mergeJobId = (run: string): string => `${run}.merge`;

/**
 * BullMQ's connection options for a redis:// URL. A worker waits out Redis restarts (no limit on
 * retries); `submit` and `status` give up after a few tries, so an unreachable server is an error.
 */
export const connectionOf = (url: string, role: 'worker' | 'client') =>
  role === 'worker'
    ? { url, maxRetriesPerRequest: null }
    : { url, maxRetriesPerRequest: 2, connectTimeout: 3000, retryStrategy: (times: number): number | null => (times > 3 ? null : 300) };
