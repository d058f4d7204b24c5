// Timing helpers shared by the wasm benchmarks.
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { selectBackend } from '../runtime/backend/select.js';

export { intOption, loadAverage, median } from './stats.js';

export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly samples: number;
}

/** Runs `step` `warmup` times untimed, then `samples` times timed; the step must finish its work (read a value). */
export function timeSteps(step: () => void, warmup: number, samples: number): Timing {
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const median = times.length % 2 === 1 ? (times[mid] ?? 0) : ((times[mid - 1] ?? 0) + (times[mid] ?? 0)) / 2;
  return { medianMs: median, minMs: times[0] ?? 0, samples };
}

export function fmt(ms: number): string {
  return ms.toFixed(ms < 10 ? 2 : 1).padStart(8);
}

export function environment(): string {
  return `node ${process.version}, tfjs-core ${tf.version_core}`;
}

/** Activates the wasm backend with our kernels, or ends the bench saying why it cannot. */
export async function requireWasm(): Promise<void> {
  const selected = await selectBackend('wasm');
  if (E.isLeft(selected)) {
    console.error(selected.left);
    process.exit(1);
  }
}
