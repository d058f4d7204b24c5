// tfjs-backend-wasm's threaded SIMD binary under Node, asked for with
// XREG_WASM_THREADS=N (N ≥ 2): select.ts starts it for its shared heap, on which
// our own products run split over N threads (wasm-kernels/own-mat-mul.ts), with
// XNNPACK's pool at `threads` = 1. The package turns threads off under Node
// (tfjs issue 3830) because its `init` hands Emscripten the pthread worker
// script as a `blob:` URL, which Node's worker_threads refuse, and the main
// script as a Blob. Our loader, for the length of that `init` only:
//
// - writes the worker script (the package's own `wasmWorkerContents`) to a real
//   file in a temporary folder, with a prelude that, inside the worker threads,
//   answers the main-script Blob with the package's copy of that script on disk
//   (wasm-out/tfjs-backend-wasm-threaded-simd.js, the same Emscripten build);
// - answers `URL.createObjectURL` for that worker Blob with the file's path;
// - reports twice the cores to Emscripten's core count: the binary caps its
//   XNNPACK pool at half the logical cores, assuming two hyper-threads per core
//   (one thread on a 2-core machine), and at N;
//
// then puts `URL.createObjectURL` and `os.cpus` back and removes the folder:
// Emscripten creates its 8 pool workers during `init`, and the binary never uses
// more than 8 threads, so no worker is made later. Nothing in node_modules is
// edited. XNNPACK splits each product by output tiles: every output element is
// the same sum in the same order, so results do not depend on the thread count
// (test/backend/wasm-threads.test.ts compares a training step bit for bit).
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import * as path from 'node:path';

/** The most threads the binary's pool takes (it pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

/** XREG_WASM_THREADS: undefined when unset, else the count or why it is not one. */
export const wasmThreadsRequested = (env: NodeJS.ProcessEnv = process.env): E.Either<string, number> | undefined => {
  const raw = env['XREG_WASM_THREADS'];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= MAX_WASM_THREADS ? E.right(n) : E.left(`XREG_WASM_THREADS=${raw}: expected a thread count from 1 to ${MAX_WASM_THREADS}`);
};

interface Scripts {
  readonly workerContents: string;
  readonly mainScript: string;
}

/** The package's worker script text and its main script's path, or why they are not there (a bundle without wasm-out/). */
const packageScripts = (): E.Either<string, Scripts> => {
  try {
    const require = createRequire(import.meta.url);
    const out = path.join(path.dirname(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))), 'wasm-out');
    const mainScript = path.join(out, 'tfjs-backend-wasm-threaded-simd.js');
    if (!existsSync(mainScript)) return E.left(`no ${mainScript}`);
    const mod: unknown = require(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js'));
    const contents = typeof mod === 'object' && mod !== null && 'wasmWorkerContents' in mod ? mod.wasmWorkerContents : undefined;
    if (typeof contents !== 'string') return E.left('the threaded worker script exports no wasmWorkerContents');
    return E.right({ workerContents: contents, mainScript });
  } catch (e) {
    return E.left(e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e));
  }
};

/** The worker threads running the backend's pthreads (Emscripten's `PThread.runningWorkers`). */
const poolThreads = (backend: unknown): { unref: () => void }[] => {
  const field = (o: unknown, k: string): unknown => (typeof o === 'object' && o !== null && k in o ? (o as Record<string, unknown>)[k] : undefined);
  const running = field(field(field(backend, 'wasm'), 'PThread'), 'runningWorkers');
  if (!Array.isArray(running)) return [];
  return running.flatMap((w: unknown) => {
    const unref = field(w, 'unref');
    return typeof unref === 'function' ? [{ unref: () => void unref.call(w) }] : [];
  });
};

/**
 * Runs `init` (the first `tf.setBackend('wasm')`) with the threaded binary and `threads` threads;
 * Left when the scripts it needs are missing (then nothing was changed and `init` did not run).
 */
export const withWasmThreads = async <A>(threads: number, init: () => Promise<A>): Promise<E.Either<string, A>> => {
  const scripts = packageScripts();
  if (E.isLeft(scripts)) return scripts;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xreg-wasm-threads-'));
  const workerFile = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  // Runs in each worker thread, before the package's script: the worker asks for an object URL of
  // the main-script Blob it is sent, and loads it with a synchronous file read.
  const prelude = `URL.createObjectURL = () => ${JSON.stringify(scripts.right.mainScript)}; URL.revokeObjectURL = () => undefined;\n`;
  // As the package's init does: its "\n" escapes would otherwise become line breaks inside strings.
  writeFileSync(workerFile, prelude + scripts.right.workerContents.replace(/\n/g, '\\n'));
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  URL.createObjectURL = (obj: Blob) => (obj.type === 'application/javascript' ? workerFile : createObjectURL(obj));
  const real = cpus();
  const one = real[0];
  os.cpus = () => (one === undefined ? real : Array.from({ length: 2 * threads }, () => one));
  try {
    const r = await init();
    // Emscripten keeps a running pthread's worker referenced, and XNNPACK's pool threads run until
    // the process ends: without this, a finished run would never exit.
    for (const w of poolThreads(tf.findBackend('wasm'))) w.unref();
    return E.right(r);
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    rmSync(dir, { recursive: true, force: true });
  }
};
