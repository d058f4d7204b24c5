// Figures and options shared by the benchmarks, without TensorFlow.js: drivers that only spawn
// the processes they time (bench/pool, bench/peers/population.ts, bench/step-trees.ts) import these
// instead of wasm-timing.ts, which loads the engine and selects a backend.
import { loadavg } from 'node:os';

/** Parses `--name value` integer options with a default; exits with a message on a bad value. */
export function intOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} needs a positive integer`);
    process.exit(2);
  }
  return v;
}

/** The load average, as printed beside every timing. */
export const loadAverage = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

/**
 * The environment for a spawned `xreg run` of the population benches: one wasm thread per process
 * unless XREG_WASM_THREADS says otherwise. `xreg run` now gives a process training alone every core;
 * these benches compare members spread over the cores with one model on one core (issue 10's
 * 20 ÷ cores), as they did before that default.
 */
export const oneThreadEach = (): NodeJS.ProcessEnv => ({ ...process.env, XREG_WASM_THREADS: (process.env['XREG_WASM_THREADS'] ?? '').trim() || '1' });
