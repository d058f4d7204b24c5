// Shared helpers for comparing the wasm backend (with our kernels) against the
// CPU backend, which is an independent implementation of every kernel.
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../runtime/backend/select.js';

export interface Result {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Deterministic uniform(-1, 1) values (mulberry32). */
export function randomValues(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    out[i] = (((r ^ (r >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape);
}

/** Activates wasm through selectBackend (which registers our kernels). */
export async function activateWasm(): Promise<void> {
  const selected = await selectBackend('wasm');
  if (E.isLeft(selected)) throw new Error(selected.left);
}

/** Runs `f` on `backend`, returning its outputs as plain arrays. */
export async function onBackend(backend: 'wasm' | 'cpu', f: () => tf.Tensor | tf.Tensor[]): Promise<Result[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`cannot activate ${backend}`);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const results = list.map((t) => ({ shape: t.shape.slice(), values: Float32Array.from(t.dataSync()) }));
  tf.dispose(list);
  return results;
}

export async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ wasm: Result[]; cpu: Result[] }> {
  const cpu = await onBackend('cpu', f);
  const wasm = await onBackend('wasm', f);
  return { wasm, cpu };
}

/** Largest |actual - expected| relative to the largest |expected| (norm-wise). */
export function relativeError(actual: Result, expected: Result): number {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`shape [${actual.shape.join(',')}] != [${expected.shape.join(',')}]`);
  }
  let diff = 0;
  let scale = 0;
  expected.values.forEach((e, i) => {
    diff = Math.max(diff, Math.abs((actual.values[i] ?? Number.NaN) - e));
    scale = Math.max(scale, Math.abs(e));
  });
  if (scale === 0) throw new Error('expected values are all zero: the comparison would be vacuous');
  return diff / scale;
}

export function wasmBackend(): BackendWasm {
  return tf.findBackend('wasm') as BackendWasm;
}

/**
 * Remembers the active backend (without initializing one: tf.getBackend() would)
 * and returns a function that restores it, since tf.setBackend is global.
 */
export function rememberBackend(): () => Promise<void> {
  const name: unknown = tf.engine().backendName;
  return async () => {
    if (typeof name === 'string' && name !== '') await tf.setBackend(name);
  };
}
