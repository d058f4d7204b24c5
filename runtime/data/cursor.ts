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
// Cached orders, one per stream: consecutive batches of an epoch reuse their order instead of
// reshuffling n examples each time. A step draws from several streams (a rule's train batches, a
// cross-phase rule's reg batches, each with its own seed); one shared slot made every draw of
// alternating streams a full reshuffle (a third of a ridge cross-phase step). A stream's next
// epoch replaces its old order; the oldest entry goes when more streams than this are live.
const CACHED_ORDERS = 16;
const cache = new Map<string, Int32Array>();
const orderFor = (n: number, seed: number, epoch: number): Int32Array => {
  const key = `${n}:${seed}:${epoch}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  cache.delete(`${n}:${seed}:${epoch - 1}`);
  if (cache.size >= CACHED_ORDERS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  const order = epochOrder(n, seed, epoch);
  cache.set(key, order);
  return order;
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
