/** Splits that grow: train on the first part of a split until some epoch, then on all of it. */
import type { Dataset } from '../../stdlib/types.js';
import { sliceExamples } from '../../stdlib/data/dataset.js';

export interface Growth {
  /** Fraction of the split used before `untilEpoch`, in (0, 1]. */
  readonly from: number;
  /** First epoch (0-based) that sees the whole split. */
  readonly untilEpoch: number;
}

/** Number of examples visible at `epoch`: ⌈from·n⌉ before `untilEpoch` (at least 1), n from then on. */
export const growthSize = (n: number, g: Growth, epoch: number): number =>
  epoch >= g.untilEpoch ? n : Math.min(n, Math.max(1, Math.ceil(g.from * n - 1e-9)));

/**
 * The examples of `split` visible at `epoch`. Splits are already shuffled, so the first examples
 * are a random subset; the result is a view (no copy).
 */
export const growthView = (split: Dataset, g: Growth, epoch: number): Dataset =>
  sliceExamples(split, 0, growthSize(split.size, g, epoch));
