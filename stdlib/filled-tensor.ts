/**
 * Tensors whose values are written in JavaScript (a batch gathered from a split, a noise draw),
 * without a new ArrayBuffer for every one where the backend allows.
 *
 * Why: V8 counts the bytes of every ArrayBuffer as external memory and starts a full (mark-compact)
 * collection each time 64 MB more of it has been allocated since the last one. A training step of
 * `programs/noise/pbt.xreg` allocated 6.4 MB of buffers (the batch 1.6 MB, three noise draws 1.5 MB,
 * and TensorFlow.js's `ones` for the gradients of layer_norm's means 3.1 MB — grad-registry.ts), so
 * a full collection every ten steps, each marking the whole heap on V8's background threads: 11% of a
 * population worker's CPU (bench/pool/threads.ts, bench/README.md).
 *
 * The wasm backend copies the values into its own heap when the tensor is made (`write`), so one
 * buffer per dtype and length serves every tensor of that size: it is filled, handed over, and free
 * again when `tf.tensor` returns. The cpu backend keeps the array it is given as the tensor's storage
 * (and WebGPU and tfjs-node hold it until first use), so there each tensor gets a new one.
 */
import type * as Core from '@tensorflow/tfjs-core';
import { tf } from './tf.js';

type Values = { float32: Float32Array; int32: Int32Array };

/**
 * Above this a buffer is not kept: a whole split's batch (170 MB for Fashion-MNIST's training
 * split) is made once per run and kept as a tensor, and a buffer kept for it would be dead weight.
 */
export const KEPT_BUFFER_MAX_BYTES = 64 * 1024 * 1024;

const kept = new Map<string, Float32Array | Int32Array>();
/** Keys whose buffer is being filled: a fill that makes a tensor of the same size gets a new buffer. */
const busy = new Set<string>();

/** Backends known to copy a tensor's values at creation (so that the array may be reused at once). */
const COPYING_BACKENDS: ReadonlySet<string> = new Set(['wasm']);

const fresh = <D extends keyof Values>(dtype: D, n: number): Values[D] => (dtype === 'int32' ? new Int32Array(n) : new Float32Array(n)) as Values[D];

/** The key of the kept buffer for `n` values of `dtype`, or undefined where none may serve. */
const keptKey = (dtype: keyof Values, n: number): string | undefined => {
  const key = `${dtype}:${n}`;
  return COPYING_BACKENDS.has(tf.getBackend()) && n * 4 <= KEPT_BUFFER_MAX_BYTES && !busy.has(key) ? key : undefined;
};

/**
 * A tensor of `shape` whose every value `fill` writes (it must write all of them: a kept buffer
 * holds the previous tensor's values).
 */
export const filledTensor = <D extends keyof Values>(shape: readonly number[], dtype: D, fill: (values: Values[D]) => void): Core.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const key = keptKey(dtype, n);
  const values = (key === undefined ? undefined : (kept.get(key) as Values[D] | undefined)) ?? fresh(dtype, n);
  if (key !== undefined) {
    kept.set(key, values);
    busy.add(key);
  }
  try {
    fill(values);
    return tf.tensor(values, [...shape], dtype);
  } finally {
    if (key !== undefined) busy.delete(key);
  }
};

/** How many buffers are kept (tests). */
export const keptBuffers = (): number => kept.size;
