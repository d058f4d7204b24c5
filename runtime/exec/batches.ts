/**
 * Drawing the mini-batches of one step. Each stream (purpose, data, split, batch size) has its own
 * pure cursor, so training batches do not depend on how often a report looks at the data and a
 * checkpoint restores every stream exactly. Needs shared by several rules of a step share the batch.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Batch, Batches, BatchNeed } from '../../compiler/lower/types.js';
import { batchKey } from '../../compiler/lower/types.js';
import { makeRng, mixSeeds, permutation } from '../../stdlib/data/random.js';
import { advance, growthView, makeBatch, startCursor, type Cursor } from '../data/index.js';
import type { PreparedData } from './data.js';

export type Cursors = Readonly<Record<string, Cursor>>;
export type Purpose = 'train' | 'eval';

export const streamKey = (purpose: Purpose, need: BatchNeed): string => `${purpose}:${batchKey(need.data, need.split)}#${need.batch}`;

/** FNV-1a of a string: a stable number for mixing a stream's name into its seed. */
export const hashString = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

/**
 * The examples a whole-split observable sees under an evaluation limit: a subset of `limit` drawn
 * from `seed` alone, so every report of a run looks at the same examples and curves compare.
 */
export const evalSubset = (size: number, limit: number | undefined, seed: number): Int32Array => {
  if (limit === undefined || limit >= size) return Int32Array.from({ length: size }, (_, i) => i);
  return permutation(size, makeRng(mixSeeds(seed, 0xe7a1)))
    .slice(0, Math.max(1, limit))
    .sort();
};

/**
 * The whole-split batches observing draws, kept for the length of a run: a report evaluates every
 * split whole (the training split too, for a reported loss), and a population's members, or one
 * model's successive reports, would otherwise gather and upload the same examples each time (a
 * whole Fashion-MNIST training split is 170 MB). Such a batch depends on the split, the limit and
 * nothing of the member, so the tensors are the same whoever asks; the run disposes them at its end.
 */
export interface BatchCache {
  readonly get: (key: string) => Batch | undefined;
  readonly set: (key: string, batch: Batch) => void;
  readonly dispose: () => void;
}

export const batchCache = (): BatchCache => {
  const kept = new Map<string, Batch>();
  return {
    get: (key) => kept.get(key),
    set: (key, batch) => void kept.set(key, batch),
    dispose: () => {
      for (const b of kept.values()) for (const t of Object.values(b) as tf.Tensor[]) t.dispose();
      kept.clear();
    },
  };
};

export interface Drawn {
  /** One Batches per need list, in order. */
  readonly batches: readonly Batches[];
  readonly cursors: Cursors;
  readonly dispose: () => void;
}

export const drawBatches = (
  needLists: readonly (readonly BatchNeed[])[],
  data: PreparedData,
  cursors: Cursors,
  seed: number,
  epoch: number,
  purpose: Purpose,
  evalLimit?: number,
  cache?: BatchCache,
): Drawn => {
  const made = new Map<string, Batch>();
  /** Streams whose batch belongs to `cache`, not to this draw. */
  const shared = new Set<string>();
  const next: Record<string, Cursor> = { ...cursors };
  const get = (need: BatchNeed): Batch => {
    const key = streamKey(purpose, need);
    const hit = made.get(key);
    if (hit !== undefined) return hit;
    const dk = batchKey(need.data, need.split);
    const split = data.splits[dk];
    if (split === undefined) throw new Error(`internal: no data for split '${dk}'`);
    const g = data.growth[dk];
    const view = g === undefined ? split : growthView(split, g, epoch);
    let batch: Batch;
    if (need.batch === 'all') {
      // A limit applies to observing only (a full-batch rule trains on every example), and its
      // subset does not depend on the member's seed, so sweep and population members compare.
      const limit = purpose === 'eval' ? evalLimit : undefined;
      // A growing split's view changes with the epoch: only a fixed one is kept.
      const keep = purpose === 'eval' && g === undefined ? cache : undefined;
      const cacheKey = `${key}|${limit ?? 'all'}`;
      const kept = keep?.get(cacheKey);
      batch = kept ?? makeBatch(view, evalSubset(view.size, limit, hashString(key)));
      if (keep !== undefined) {
        if (kept === undefined) keep.set(cacheKey, batch);
        shared.add(key);
      }
    } else {
      const a = advance(next[key] ?? startCursor, need.batch, view.size, mixSeeds(seed, hashString(key)));
      next[key] = a.cursor;
      batch = makeBatch(view, a.indices);
    }
    made.set(key, batch);
    return batch;
  };
  const batches = needLists.map((needs) => {
    const out: Record<string, Batch> = {};
    for (const n of needs) out[batchKey(n.data, n.split)] = get(n);
    return out;
  });
  const dispose = (): void => {
    for (const [k, b] of made) if (!shared.has(k)) for (const t of Object.values(b) as tf.Tensor[]) t.dispose();
  };
  return { batches, cursors: next, dispose };
};
