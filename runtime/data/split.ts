/** Cutting a data set into named, disjoint splits by a seeded permutation. */
import * as E from 'fp-ts/lib/Either.js';
import type { DataError, Dataset } from '../../stdlib/types.js';
import { takeExamples } from '../../stdlib/data/dataset.js';
import { makeRng, mixSeeds, permutation } from '../../stdlib/data/random.js';

export interface SplitFraction {
  readonly name: string;
  readonly fraction: number;
}

/** Fractions such as 1/3 + 1/3 + 1/3 may sum to a hair above 1 in floating point. */
const SUM_TOLERANCE = 1e-9;

/**
 * Sizes of the splits of `n` examples: floor(fraction · n) each; when the fractions sum to 1 the
 * examples lost to rounding go to the first split, so that together they cover everything.
 */
export const splitSizes = (n: number, fractions: readonly SplitFraction[]): number[] => {
  const sizes = fractions.map((f) => Math.floor(f.fraction * n + 1e-9));
  const total = fractions.reduce((s, f) => s + f.fraction, 0);
  const target = Math.min(n, Math.floor(total * n + 1e-9));
  const used = sizes.reduce((s, k) => s + k, 0);
  if (sizes.length > 0 && used < target) sizes[0] = (sizes[0] as number) + (target - used);
  return sizes;
};

export const splitDataset = (
  ds: Dataset,
  fractions: readonly SplitFraction[],
  seed: number,
): E.Either<DataError, Record<string, Dataset>> => {
  const seen = new Set<string>();
  for (const f of fractions) {
    if (!(f.fraction > 0) || !Number.isFinite(f.fraction)) {
      return E.left({ message: `split '${f.name}' has fraction ${f.fraction}; every fraction must be above 0` });
    }
    if (seen.has(f.name)) return E.left({ message: `split '${f.name}' is named twice` });
    seen.add(f.name);
  }
  const total = fractions.reduce((s, f) => s + f.fraction, 0);
  if (total > 1 + SUM_TOLERANCE) {
    return E.left({
      message: `the split fractions sum to ${+total.toFixed(6)}, more than 1 (${fractions.map((f) => `${f.name}: ${f.fraction}`).join(', ')})`,
    });
  }
  const sizes = splitSizes(ds.size, fractions);
  const empty = fractions.find((_, i) => sizes[i] === 0);
  if (empty !== undefined) {
    return E.left({
      message: `split '${empty.name}' (fraction ${empty.fraction}) of ${ds.size} examples would be empty`,
    });
  }
  // A stream of its own, so that splitting with seed s and shuffling batches with seed s differ.
  const perm = permutation(ds.size, makeRng(mixSeeds(seed, 0x5eed5)));
  const out: Record<string, Dataset> = {};
  let start = 0;
  fractions.forEach((f, i) => {
    const k = sizes[i] as number;
    out[f.name] = takeExamples(ds, perm.subarray(start, start + k));
    start += k;
  });
  return E.right(out);
};
