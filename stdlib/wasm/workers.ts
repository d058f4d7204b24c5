/**
 * Threads for our own kernels: worker threads that instantiate one of our modules on the same
 * shared heap (the threaded binary's memory is a SharedArrayBuffer) and run calls of its function
 * while the main thread runs its own. A step is synchronous, so the main thread posts a job through
 * a small control block in the heap and waits on it (`Atomics.wait`), without the event loop.
 * Only where the heap is shared; elsewhere there is no pool and callers run the whole call
 * themselves.
 *
 * A job is cut into chunks (e.g. a product's rows, a few 4-row tiles each) that every thread,
 * the caller included, claims one at a time until none is left. A worker wakes from
 * `Atomics.wait` some tens of µs to 0.1 ms after the job is posted, and later still when the
 * cores are busy: with fixed shares the caller then sat waiting for the worker's share; with
 * claimed chunks it goes on with them, and a worker that never wakes costs nothing but its help.
 *
 * Control block (Int32 slots): [0] the job number, [1] the claim word ((job & 0x7fff) << 16 | next
 * chunk), [2] chunks done, [3] chunks, [4] the argument that counts (rows), [5] its step, [6] its
 * total; from slot 16 the first chunk's 16 arguments, from slot 32 each argument's step per chunk.
 */
import { Worker } from 'node:worker_threads';
import { assemble, type WasmFunction } from './assemble.js';

const ARGS = 16;
/** Loads of the control block before sleeping (some µs), worker and caller alike. */
const SPIN = 4000;
/** How long the caller looks for the workers' last chunks before sleeping (ms). */
const WAIT_SPIN_MS = 0.5;
const [JOB, CLAIM, DONE, CHUNKS, COUNT_AT, COUNT_STEP, COUNT_TOTAL] = [0, 1, 2, 3, 4, 5, 6];
const BASE_AT = 16;
const STEP_AT = BASE_AT + ARGS;
const MAX_WORKERS = 8;
const SLOTS = STEP_AT + ARGS;
/** Bytes of the control block a pool needs (its caller allocates them in the heap). */
export const CONTROL_BYTES = 4 * SLOTS;

/**
 * Claims and runs the current job's chunks until none is left (the same source runs in the workers
 * and, through `new Function`, here). A claim succeeds only while the claim word still carries the
 * job's tag, and a job is replaced only once all its chunks are done, so a claimed chunk's
 * arguments are the job's own; a worker that wakes late finds the word taken or moved on.
 */
const claimSource = `(c, job, call) => {
  const tag = (job & 0x7fff) << 16;
  for (;;) {
    const v = Atomics.load(c, ${CLAIM});
    if ((v & 0x7fff0000) !== tag) return;
    const k = v & 0xffff;
    const chunks = Atomics.load(c, ${CHUNKS});
    if (k >= chunks) return;
    if (Atomics.compareExchange(c, ${CLAIM}, v, v + 1) !== v) continue;
    const a = [];
    for (let i = 0; i < ${ARGS}; i++) a.push(c[${BASE_AT} + i] + k * c[${STEP_AT} + i]);
    const at = c[${COUNT_AT}];
    if (at >= 0) a[at] = Math.max(0, Math.min(c[${COUNT_STEP}], c[${COUNT_TOTAL}] - k * c[${COUNT_STEP}]));
    call(a);
    if (Atomics.add(c, ${DONE}, 1) + 1 === chunks) Atomics.notify(c, ${DONE});
  }
}`;

// Runs inside each worker: wait for a job number, claim its chunks. A negative job number ends the worker.
const workerSource = `
const { workerData } = require('node:worker_threads');
const { memory, bytes, ctrl, name } = workerData;
const f = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports[name];
const c = new Int32Array(memory.buffer, ctrl, ${SLOTS});
const claim = ${claimSource};
const call = (a) => f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
// From 0, the job number before any job: a job posted while this worker was starting is still seen.
let seen = 0;
for (;;) {
  // A step's products come back to back: look a little before sleeping (a wake-up costs tens of µs).
  for (let spin = 0; spin < ${SPIN} && Atomics.load(c, ${JOB}) === seen; spin++);
  Atomics.wait(c, ${JOB}, seen);
  seen = Atomics.load(c, ${JOB});
  if (seen < 0) break;
  claim(c, seen, call);
}
`;

type Claim = (c: Int32Array, job: number, call: (args: readonly number[]) => void) => void;
const claimHere = new Function(`return ${claimSource};`)() as Claim;

/**
 * A job: `chunks` calls, chunk k with the arguments `base + k · step`, except the argument at
 * `count.at` (where given), which is min(count.step, count.total − k · count.step) (e.g. the rows
 * of the last chunk).
 */
export interface Job {
  readonly chunks: number;
  readonly base: readonly number[];
  readonly step: readonly number[];
  readonly count?: { readonly at: number; readonly step: number; readonly total: number };
}

export interface KernelPool {
  /** Threads in all, the calling one included. */
  readonly threads: number;
  /** Runs the job's chunks here and on the workers, returning when all are done. */
  readonly run: (job: Job) => void;
}

/** The heap's `WebAssembly.Memory` (posted to the workers as it is), shared. */
interface SharedHeap {
  readonly buffer: SharedArrayBuffer;
}

/**
 * A pool of `threads - 1` workers running `fn` (integer parameters only, at most 16) on `memory`,
 * with its control block at byte `ctrl` (CONTROL_BYTES, allocated by the caller).
 */
export const startPool = (memory: SharedHeap, ctrl: number, fn: WasmFunction, threads: number, here: (...args: number[]) => void): KernelPool => {
  const workers = Math.min(threads - 1, MAX_WORKERS);
  const bytes = assemble({ module: 'env', name: 'memory', shared: true }, [fn]);
  const c = new Int32Array(memory.buffer, ctrl, SLOTS);
  c.fill(0);
  for (let w = 0; w < workers; w++) {
    const worker = new Worker(workerSource, { eval: true, workerData: { memory, bytes, ctrl, name: fn.name } });
    // Waiting workers must not keep a finished run alive.
    worker.unref();
  }
  const call = (a: readonly number[]): void => here(...a);
  let job = 0;
  return {
    threads: workers + 1,
    run: ({ chunks, base, step, count }) => {
      if (chunks > 0xffff || base.length > ARGS || step.length > ARGS) throw new Error(`internal error: a job of ${chunks} chunks and ${base.length} arguments`);
      if (chunks <= 0) return;
      job = (job + 1) & 0x3fffffff;
      c.fill(0, BASE_AT, SLOTS);
      c.set(base, BASE_AT);
      c.set(step, STEP_AT);
      c[COUNT_AT] = count?.at ?? -1;
      c[COUNT_STEP] = count?.step ?? 0;
      c[COUNT_TOTAL] = count?.total ?? 0;
      Atomics.store(c, CHUNKS, chunks);
      Atomics.store(c, DONE, 0);
      // The claim word last but one: once it carries the new tag, chunks can be claimed.
      Atomics.store(c, CLAIM, (job & 0x7fff) << 16);
      Atomics.store(c, JOB, job);
      Atomics.notify(c, JOB);
      claimHere(c, job, call);
      // Chunks claimed by a worker may still be running: at most one chunk's time (tens of µs),
      // less than this thread would lose to waking from Atomics.wait, so look until then.
      const until = performance.now() + WAIT_SPIN_MS;
      for (let spin = 1; Atomics.load(c, DONE) !== chunks && (spin % 64 !== 0 || performance.now() < until); spin++);
      for (let done = Atomics.load(c, DONE); done !== chunks; done = Atomics.load(c, DONE)) Atomics.wait(c, DONE, done);
    },
  };
};
