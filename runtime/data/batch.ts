/**
 * Mini-batches: a seeded order per epoch, batches as slices of it, and tensors made only here, so
 * that everything before this point is plain data the runtime can checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../stdlib/types.js';
import { exampleSize } from '../../stdlib/data/dataset.js';
import { filledTensor } from '../../stdlib/filled-tensor.js';
import { makeRng, mixSeeds, permutation } from '../../stdlib/data/random.js';

/** The visiting order of `n` examples in `epoch`: the same for the same (n, seed, epoch). */
export const epochOrder = (n: number, seed: number, epoch: number): Int32Array =>
  permutation(n, makeRng(mixSeeds(seed, epoch)));

/** The `index`-th batch (0-based) of an epoch's order; the last batch of an epoch may be short. */
export const batchIndices = (order: Int32Array, batchSize: number, index: number): Int32Array =>
  order.subarray(Math.min(order.length, index * batchSize), Math.min(order.length, (index + 1) * batchSize));

/** Number of batches in an epoch of `n` examples. */
export const batchesPerEpoch = (n: number, batchSize: number): number => Math.ceil(n / batchSize);

/**
 * Copies the examples at `indices` (each `k` values long) from `src` into `dst`, one after another.
 * A short example (a few features, a label) is copied value by value: a `subarray` view per example
 * cost more than the copy. A long one (an image) by one block copy per example.
 */
const gather = (dst: Float32Array | Int32Array, src: Float32Array | Int32Array, indices: ArrayLike<number>, k: number): void => {
  const n = indices.length;
  if (k >= 64) {
    for (let i = 0; i < n; i++) {
      const from = (indices[i] as number) * k;
      dst.set(src.subarray(from, from + k), i * k);
    }
    return;
  }
  let o = 0;
  for (let i = 0; i < n; i++) {
    const from = (indices[i] as number) * k;
    for (let j = 0; j < k; j++) dst[o++] = src[from + j] as number;
  }
};

/**
 * Tensors [b, ...fieldShape] of the examples at `indices`, one per field, each gathered into one
 * buffer for the whole batch: on wasm the same buffer for every batch of a size, elsewhere a new one
 * (the cpu backend keeps the array it is given as the tensor's storage; stdlib/filled-tensor.ts).
 * The caller disposes them.
 */
export const makeBatch = (ds: Dataset, indices: ArrayLike<number>): Record<string, tf.Tensor> => {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, f] of Object.entries(ds.fields)) {
    const k = exampleSize(f.shape);
    out[name] = filledTensor([indices.length, ...f.shape], f.dtype, (data) => gather(data, f.data, indices, k));
  }
  return out;
};
