/**
 * Threads for our own kernels: worker threads that instantiate one of our modules on the same
 * shared heap (the threaded binary's memory is a SharedArrayBuffer) and run a call of its function
 * on their share of the work while the main thread runs its own. A step is synchronous, so the
 * main thread hands out the shares through a small control block in the heap and waits on it
 * (`Atomics.wait`), without the event loop. Only where the heap is shared; elsewhere there is no
 * pool and callers run the whole call themselves.
 *
 * Control block (Int32 slots): [0] the job number, [1 + w] the job worker w last finished, then
 * from slot 16 each worker's 16 arguments.
 */
import { Worker } from 'node:worker_threads';
import { assemble, type WasmFunction } from './assemble.js';

const ARGS = 16;
/** Loads of the control block before sleeping (some µs), worker and caller alike. */
const SPIN = 4000;
const ARGS_AT = 16;
const MAX_WORKERS = 8;
/** Int32 slots of the control block: the job number, each worker's last job, each worker's arguments. */
const SLOTS = ARGS_AT + ARGS * MAX_WORKERS;
/** Bytes of the control block a pool needs (its caller allocates them in the heap). */
export const CONTROL_BYTES = 4 * SLOTS;

// Runs inside each worker: wait for a job number, call the function with this worker's arguments,
// say it is done. A negative job number ends the worker.
const workerSource = `
const { workerData } = require('node:worker_threads');
const { memory, bytes, ctrl, index, name } = workerData;
const f = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports[name];
const c = new Int32Array(memory.buffer, ctrl, ${SLOTS});
// From 0, the job number before any job: a job posted while this worker was starting is still seen.
let seen = 0;
for (;;) {
  // A step's products come back to back: look a little before sleeping (a wake-up costs tens of µs).
  for (let spin = 0; spin < ${SPIN} && Atomics.load(c, 0) === seen; spin++);
  Atomics.wait(c, 0, seen);
  seen = Atomics.load(c, 0);
  if (seen < 0) break;
  const a = ${ARGS_AT} + index * ${ARGS};
  f(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], c[a + 9], c[a + 10], c[a + 11], c[a + 12], c[a + 13], c[a + 14], c[a + 15]);
  Atomics.store(c, 1 + index, seen);
  Atomics.notify(c, 1 + index);
}
`;

export interface KernelPool {
  /** Threads in all, the calling one included. */
  readonly threads: number;
  /**
   * The share of the work each worker should get (the caller takes the rest): a worker starts late
   * (it wakes from Atomics.wait, about 0.1 ms a call), so an even split leaves the caller waiting.
   * Adjusted after every call from who finished first; the results never depend on it.
   */
  readonly workerShare: () => number;
  /**
   * Runs `parts[0]` here and `parts[1..]` on the workers (integer arguments of the pool's
   * function; exactly `threads` parts, a part with nothing to do where there is less work),
   * returning when all are done.
   */
  readonly run: (parts: readonly (readonly number[])[]) => void;
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
    const worker = new Worker(workerSource, { eval: true, workerData: { memory, bytes, ctrl, index: w, name: fn.name } });
    // Waiting workers must not keep a finished run alive.
    worker.unref();
  }
  let job = 0;
  let share = 1 / (workers + 1);
  const [least, most] = [0.5 / (workers + 1), 1 / (workers + 1)];
  return {
    threads: workers + 1,
    workerShare: () => share,
    run: (parts) => {
      if (parts.length !== workers + 1) throw new Error(`internal error: ${parts.length} parts for ${workers + 1} threads`);
      job++;
      for (let w = 0; w < workers; w++) c.set(parts[w + 1] ?? [], ARGS_AT + w * ARGS);
      Atomics.store(c, 0, job);
      Atomics.notify(c, 0);
      here(...(parts[0] ?? []));
      let late = false;
      for (let w = 0; w < workers; w++) {
        late ||= Atomics.load(c, 1 + w) !== job;
        for (let spin = 0; spin < SPIN && Atomics.load(c, 1 + w) !== job; spin++);
        for (let done = Atomics.load(c, 1 + w); done !== job; done = Atomics.load(c, 1 + w)) Atomics.wait(c, 1 + w, done);
      }
      // A worker still busy when the caller was done gets less next time, an early one more.
      share = Math.min(most, Math.max(least, share + (late ? -0.01 : 0.005)));
    },
  };
};
