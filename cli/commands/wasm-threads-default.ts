/**
 * How many threads `xreg run` gives the wasm backend's products and Adam when XREG_WASM_THREADS is
 * not set: the cores this process trains on. Alone, every core: the threads claim chunks of each
 * product, so a busy machine costs them nothing a single thread would not lose too (bench/README.md,
 * "Claimed chunks"), and the pbt.xreg network trains an epoch 1.45 times faster on 2 cores. With
 * `--workers N` the N worker processes share the cores: cores ÷ N each, at least one. The threaded
 * binary takes at most 8. Results are the same bits at any count (test/backend/wasm-threads.test.ts).
 */
import { MAX_WASM_THREADS } from '../../runtime/backend/wasm-threads.js';

export const defaultWasmThreads = (cores: number, processes: number): number =>
  Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(cores / Math.max(1, processes))));

/** Sets XREG_WASM_THREADS in `env` (inherited by the pool's workers) unless the user set it. */
export const applyWasmThreadsDefault = (env: NodeJS.ProcessEnv, cores: number, processes: number): void => {
  if ((env['XREG_WASM_THREADS'] ?? '').trim() === '') env['XREG_WASM_THREADS'] = String(defaultWasmThreads(cores, processes));
};
