/**
 * `xreg status`: the runs in a queue and how far each has got — members done, running (with the
 * step each is at and the worker training it), waiting, retried after a lost worker, failed — and
 * whether the merge has run.
 */
import * as E from 'fp-ts/lib/Either.js';
import { Queue, type Job } from 'bullmq';
import { connectionOf, MemberJob, MergeJob, Progress } from './jobs.js';

export interface MemberStatus {
  readonly index: number;
  readonly state: string;
  readonly progress?: Progress;
  /** How often the member was handed out again after its worker was lost or stopped. */
  readonly retries: number;
  readonly failedReason?: string;
}

export interface RunStatus {
  readonly run: string;
  readonly out: string;
  readonly members: readonly MemberStatus[];
  /** The merge job's state: waiting for its members ('waiting-children'), then 'completed'. */
  readonly merge: string;
  readonly mergeError?: string;
}

const STATES = ['active', 'waiting', 'waiting-children', 'delayed', 'prioritized', 'completed', 'failed'] as const;

const runOf = (id: string | undefined): string => (id ?? '').replace(/\.(m\d+|merge)$/, '');

/** Every run the queue knows, newest last. */
export const queueStatus = async (redis: string, queueName: string): Promise<E.Either<string, RunStatus[]>> => {
  const queue = new Queue(queueName, { connection: connectionOf(redis, 'client') });
  // Connection errors surface as the rejected call below; unheard, the client would print each retry.
  queue.on('error', () => undefined);
  try {
    const jobs: Job[] = (await queue.getJobs([...STATES], 0, -1)).filter((j): j is Job => j !== undefined && j !== null);
    const state = async (j: Job): Promise<string> => String(await j.getState());
    const runs = new Map<string, { out: string; merge: string; mergeError?: string; members: MemberStatus[]; at: number }>();
    for (const j of jobs) {
      const run = runOf(j.id);
      const entry = runs.get(run) ?? { out: '', merge: 'missing', members: [], at: j.timestamp };
      runs.set(run, entry);
      if (j.name === 'merge') {
        const d = MergeJob.decode(j.data);
        if (E.isRight(d)) entry.out = d.right.out;
        entry.merge = await state(j);
        if (j.failedReason !== undefined && j.failedReason !== '') entry.mergeError = j.failedReason;
        entry.at = j.timestamp;
      } else if (j.name === 'member') {
        const d = MemberJob.decode(j.data);
        if (E.isLeft(d)) continue;
        const p = Progress.decode(j.progress);
        entry.members.push({
          index: d.right.index,
          state: await state(j),
          ...(E.isRight(p) ? { progress: p.right } : {}),
          // Every start after the first was a retry: after a lost worker (stalled) or a stop.
          retries: Math.max(0, j.attemptsStarted - 1),
          ...(j.failedReason !== undefined && j.failedReason !== '' ? { failedReason: j.failedReason } : {}),
        });
      }
    }
    return E.right(
      [...runs.entries()]
        .sort((a, b) => a[1].at - b[1].at)
        .map(([run, r]) => ({ run, out: r.out, merge: r.merge, ...(r.mergeError !== undefined ? { mergeError: r.mergeError } : {}), members: r.members.sort((a, b) => a.index - b.index) })),
    );
  } catch (e) {
    return E.left(`cannot reach Redis at ${redis} (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    await queue.close();
  }
};

const count = (ms: readonly MemberStatus[], ...states: string[]): number => ms.filter((m) => states.includes(m.state)).length;

/** The status as lines for a terminal. */
export const showStatus = (runs: readonly RunStatus[]): string => {
  if (runs.length === 0) return 'no runs in this queue';
  const lines: string[] = [];
  for (const r of runs) {
    const ms = r.members;
    const done = count(ms, 'completed');
    const merged = r.merge === 'completed' ? 'merged' : r.merge === 'failed' ? `merge failed: ${r.mergeError ?? ''}` : 'not merged yet';
    lines.push(`${r.run}: ${done}/${ms.length} members done, ${count(ms, 'active')} running, ${count(ms, 'waiting', 'delayed', 'prioritized')} waiting, ${count(ms, 'failed')} failed; ${merged} (${r.out})`);
    for (const m of ms) {
      if (m.state === 'active' && m.progress !== undefined) lines.push(`  member ${m.index}: step ${m.progress.step}/${m.progress.total} on ${m.progress.worker}${m.retries > 0 ? ` (retry ${m.retries})` : ''}`);
      else if (m.state === 'failed') lines.push(`  member ${m.index}: failed: ${m.failedReason ?? ''}`);
      else if (m.retries > 0 && m.state !== 'completed') lines.push(`  member ${m.index}: ${m.state} (retry ${m.retries})`);
    }
    const retried = ms.filter((m) => m.retries > 0 && m.state === 'completed').map((m) => m.index);
    if (retried.length > 0) lines.push(`  completed after a retry: member${retried.length === 1 ? '' : 's'} ${retried.join(', ')}`);
  }
  return lines.join('\n');
};
