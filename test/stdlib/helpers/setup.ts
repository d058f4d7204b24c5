import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradients; the union package registers them all on load.
import '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { functions } from '../../../stdlib/functions/index.js';
import { layers } from '../../../stdlib/layers/index.js';
import type { FnDef, LayerDef, StatefulFnDef } from '../../../stdlib/types.js';

export const useCpu = async (): Promise<void> => {
  await tf.setBackend('cpu');
  await tf.ready();
};

/**
 * Starts the calling file's tests on the CPU backend and gives back the backend that was active
 * before them, if any was (a fresh worker has none yet).
 */
export const cpuForThisFile = (): void => {
  let previous: string | undefined;
  beforeAll(async () => {
    previous = tf.getBackend() as string | undefined;
    await useCpu();
  });
  afterAll(async () => {
    if (previous !== undefined) await tf.setBackend(previous);
  });
};

export const layer = (name: string): LayerDef => {
  const l = layers.find((x) => x.name === name);
  if (l === undefined) throw new Error(`no layer ${name}`);
  return l;
};

export const func = (name: string): FnDef => {
  const f = functions.find((x): x is FnDef => x.kind === 'fn' && x.name === name);
  if (f === undefined) throw new Error(`no function ${name}`);
  return f;
};

export const stateful = (name: string): StatefulFnDef => {
  const f = functions.find((x): x is StatefulFnDef => x.kind === 'stateful' && x.name === name);
  if (f === undefined) throw new Error(`no stateful function ${name}`);
  return f;
};

export const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected right, got: ${e.left}`);
  return e.right;
};

export const leftMessage = <A>(e: E.Either<string, A>): string => {
  expect(E.isLeft(e)).toBe(true);
  return E.isLeft(e) ? e.left : '';
};

/** Runs `f`, disposes what it returns, and checks no tensor outlived it. */
export const expectNoLeak = (f: () => tf.Tensor | readonly tf.Tensor[]): void => {
  const before = tf.memory().numTensors;
  const out = f();
  tf.dispose(Array.isArray(out) ? [...out] : [out as tf.Tensor]);
  expect(tf.memory().numTensors).toBe(before);
};

/** Deterministic pseudo-random values (not tf's RNG, so references stay independent). */
export const values = (n: number, seed = 1): Float64Array => {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 * 2 - 1;
  }
  return out;
};
