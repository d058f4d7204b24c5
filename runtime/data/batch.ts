/**
 * Mini-batches: a seeded order per epoch, batches as slices of it, and tensors made only here, so
 * that everything before this point is plain data the runtime can checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../stdlib/types.js';
import { exampleSize } from '../../stdlib/data/dataset.js';
import { makeRng, mixSeeds, permutation } from '../../stdlib/data/random.js';

/** The visiting order of `n` examples in `epoch`: the same for the same (n, seed, epoch). */
export const epochOrder = (n: number, seed: number, epoch: number): Int32Array =>
  permutation(n, makeRng(mixSeeds(seed, epoch)));

/** The `index`-th batch (0-based) of an epoch's order; the last batch of an epoch may be short. */
export const batchIndices = (order: Int32Array, batchSize: number, index: number): Int32Array =>
  order.subarray(Math.min(order.length, index * batchSize), Math.min(order.length, (index + 1) * batchSize));

/** Number of batches in an epoch of `n` examples. */
export const batchesPerEpoch = (n: number, batchSize: number): number => Math.ceil(n / batchSize);

/** Tensors [b, ...fieldShape] of the examples at `indices`, one per field. The caller disposes them. */
export const makeBatch = (ds: Dataset, indices: ArrayLike<number>): Record<string, tf.Tensor> => {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, f] of Object.entries(ds.fields)) {
    const k = exampleSize(f.shape);
    const data = f.dtype === 'int32' ? new Int32Array(indices.length * k) : new Float32Array(indices.length * k);
    for (let i = 0; i < indices.length; i++) {
      const src = (indices[i] as number) * k;
      data.set(f.data.subarray(src, src + k), i * k);
    }
    out[name] = tf.tensor(data, [indices.length, ...f.shape], f.dtype);
  }
  return out;
};
