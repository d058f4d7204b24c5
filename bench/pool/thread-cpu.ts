/**
 * CPU seconds per thread of a process tree, read from Linux's /proc while it runs: each thread's
 * utime + stime (/proc/PID/task/TID/stat) under its name (/proc/PID/task/TID/comm). Node 20 names
 * every thread "node"; its threads are then told apart by the order Node starts them (read from
 * its stacks with gdb, `thread apply all bt`): the main thread (TID = PID), the platform's delayed
 * task scheduler, its 4 worker threads (V8's background work: concurrent and parallel GC, TurboFan,
 * wasm tier-up), the inspector's signal thread, then threads started later (libuv's pool of 4 for
 * file system work, started on first use). Counters are cumulative, so the last
 * sample of a thread is its total but for the moments after that sample; what the tree's own
 * total (from `/usr/bin/time`) holds beyond the threads' is reported as "(not sampled)": threads that
 * ended between samples, and the last slice of each.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** The fields of a /proc stat line after the command name (which may hold spaces and parentheses). */
const statFields = (text: string): string[] => text.slice(text.lastIndexOf(')') + 2).split(' ');

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

/** utime + stime in seconds from a stat line's fields (fields 14 and 15 of the line: 11 and 12 after the name). */
const cpuOf = (f: readonly string[]): number => (Number(f[11]) + Number(f[12])) / TICKS_PER_S;

/** Node 20's threads in the order it starts them (see above): the name of the `rank`-th thread of a process. */
const NODE_THREADS = ['main thread', 'delayed task scheduler', 'V8 platform worker', 'V8 platform worker', 'V8 platform worker', 'V8 platform worker', 'inspector signal thread'];
export const nodeThreadName = (comm: string, rank: number): string => (comm !== 'node' ? comm : (NODE_THREADS[rank] ?? 'later thread (libuv pool, …)'));

/** What a process is in the tree: `role` names it for the report (the root, a pool worker). */
export type RoleOf = (pid: number, depth: number, cmdline: string) => string | undefined;

/** Seen threads: cumulative CPU s by role → thread key (pid:tid) → { name, cpu }. */
export class ThreadSampler {
  private readonly threads = new Map<string, { role: string; name: string; cpu: number }>();
  private readonly roles = new Map<number, { role: string; depth: number }>();

  constructor(
    private readonly root: number,
    private readonly roleOf: RoleOf,
  ) {}

  /** The root and its descendants (found by each process's parent, /proc/PID/stat field 4). */
  private tree(): Map<number, number> {
    const parent = new Map<number, number>();
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      const s = read(`/proc/${e}/stat`);
      if (s !== undefined) parent.set(Number(e), Number(statFields(s)[1]));
    }
    const depth = new Map<number, number>([[this.root, 0]]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, pp] of parent) {
        const d = depth.get(pp);
        if (d !== undefined && !depth.has(pid)) {
          depth.set(pid, d + 1);
          grew = true;
        }
      }
    }
    return depth;
  }

  sample(): void {
    for (const [pid, depth] of this.tree()) {
      if (!this.roles.has(pid)) {
        const role = this.roleOf(pid, depth, (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' '));
        if (role === undefined) continue;
        this.roles.set(pid, { role, depth });
      }
      const role = this.roles.get(pid)?.role;
      if (role === undefined) continue;
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      tids.sort((a, b) => Number(a) - Number(b));
      for (const [rank, tid] of tids.entries()) {
        const s = read(`/proc/${pid}/task/${tid}/stat`);
        const comm = read(`/proc/${pid}/task/${tid}/comm`)?.trim();
        if (s === undefined || comm === undefined) continue;
        const key = `${pid}:${tid}`;
        // A thread keeps the name it had when first seen (a later thread's rank never moves below 7).
        const name = this.threads.get(key)?.name ?? nodeThreadName(comm, rank);
        const cpu = cpuOf(statFields(s));
        const was = this.threads.get(key);
        if (was === undefined || cpu >= was.cpu) this.threads.set(key, { role, name, cpu });
      }
    }
  }

  /** CPU s by role, then by thread name (threads of one name summed), and the number of processes of each role. */
  totals(): Map<string, { processes: number; byName: Map<string, number> }> {
    const out = new Map<string, { processes: number; byName: Map<string, number> }>();
    for (const { role } of this.roles.values()) {
      const r = out.get(role) ?? { processes: 0, byName: new Map<string, number>() };
      r.processes++;
      out.set(role, r);
    }
    for (const t of this.threads.values()) {
      const r = out.get(t.role);
      if (r !== undefined) r.byName.set(t.name, (r.byName.get(t.name) ?? 0) + t.cpu);
    }
    return out;
  }
}
