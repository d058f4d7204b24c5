/** "Did you mean …" suggestions for misspelled keywords and names. */

/** Damerau–Levenshtein distance (optimal string alignment): a swap of two letters costs 1. */
export const editDistance = (a: string, b: string): number => {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
};

/**
 * The closest candidate to `name`, if it is close enough to be a plausible typo: at most one edit
 * for short names, about a third of the length for longer ones. Case differences count as half an edit
 * so `Scalar` is found for `scalar`. Ties go to the earlier candidate, so callers order by likelihood.
 */
export const suggest = (name: string, candidates: readonly string[]): string | undefined => {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === name) continue;
    const exact = editDistance(name, c);
    const folded = editDistance(name.toLowerCase(), c.toLowerCase());
    const score = Math.min(exact, folded + 0.5);
    if (score <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
};
