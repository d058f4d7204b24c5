/**
 * Where a stream of batches stands: plain data, so a checkpoint stores it and a resumed run
 * continues with exactly the batches an uninterrupted one would have drawn.
 */
import { epochOrder } from './batch.js';

export interface Cursor {
  readonly epoch: number;
  /** Position in the epoch's order of the next example to visit. */
  readonly position: number;
}

export const startCursor: Cursor = { epoch: 0, position: 0 };

export interface Advance {
  readonly cursor: Cursor;
  /** Example indices of this batch. */
  readonly indices: Int32Array;
  /** The epoch this batch belongs to. */
  readonly epoch: number;
  /** True when this batch ends its epoch. */
  readonly epochEnd: boolean;
}

/**
 * The next batch of `batchSize` from a split of `n` examples shuffled by `seed`. Batches do not
 * straddle epochs: the last one of an epoch is short. A cursor past the end (the split shrank)
 * starts the next epoch.
 */
// One cached order: consecutive batches of an epoch reuse it instead of reshuffling n examples each time.
let cached: { n: number; seed: number; epoch: number; order: Int32Array } | undefined;
const orderFor = (n: number, seed: number, epoch: number): Int32Array => {
  if (cached === undefined || cached.n !== n || cached.seed !== seed || cached.epoch !== epoch) {
    cached = { n, seed, epoch, order: epochOrder(n, seed, epoch) };
  }
  return cached.order;
};

export const advance = (cursor: Cursor, batchSize: number, n: number, seed: number): Advance => {
  const fresh = cursor.position >= n;
  const epoch = fresh ? cursor.epoch + 1 : cursor.epoch;
  const start = fresh ? 0 : cursor.position;
  const end = Math.min(n, start + Math.max(1, batchSize));
  const indices = orderFor(n, seed, epoch).slice(start, end);
  const epochEnd = end >= n;
  return {
    cursor: epochEnd ? { epoch: epoch + 1, position: 0 } : { epoch, position: end },
    indices,
    epoch,
    epochEnd,
  };
};
