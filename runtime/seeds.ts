/**
 * A seed list (`xreg run FILE --seeds 0..4`): the same program trained once per seed, each seed a
 * member, so that a result is reported as a mean and a spread over seeds rather than one draw.
 * Member `i` is trained exactly as `xreg run FILE --seed S` with `S` the list's `i`-th seed.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { IRProgram } from '../compiler/ir.js';
import type { FinishedMember } from './exec/snapshot.js';

/** A refusal of the command line: a stable code (docs/diagnostics.md, E0850–E0899) and what to do. */
export const usageError = (code: string, message: string, hint?: string): string =>
  `error[${code}]: ${message}${hint !== undefined ? `\n  = hint: ${hint}` : ''}`;

export const SeedCodes = {
  badList: 'E0850',
  repeated: 'E0851',
  withSeed: 'E0852',
  withSweep: 'E0853',
  withPopulation: 'E0854',
  otherList: 'E0855',
} as const;

/** Seeds at most: a list longer than this is a typo (`0..10000000`), not an experiment. */
export const MAX_SEEDS = 10_000;

const INT = /^-?\d+$/;

/**
 * `0,1,2`, `0..4` (both ends included) or a mix (`0..4,10,20`). One number alone is refused: it
 * reads as "five seeds" as easily as "seed five".
 */
export const parseSeeds = (text: string): E.Either<string, number[]> => {
  const bad = (why: string, hint = 'write the seeds as a list (--seeds 0,1,2), a range with both ends included (--seeds 0..4), or both (--seeds 0..4,10)'): E.Either<string, number[]> =>
    E.left(usageError(SeedCodes.badList, `--seeds ${text}: ${why}`, hint));
  const items = text.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const item of items) {
    const range = /^(-?\d+)\s*\.\.\s*(-?\d+)$/.exec(item);
    if (range !== null) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a) return bad(`the range ${item} runs downward`, `write it upward: --seeds ${b}..${a}`);
      if (b - a + 1 + out.length > MAX_SEEDS) return bad(`more than ${MAX_SEEDS.toLocaleString('en-US')} seeds`);
      for (let s = a; s <= b; s++) out.push(s);
      continue;
    }
    if (!INT.test(item)) return bad(item === '' ? 'an empty item in the list' : `'${item}' is not a whole number or a range`);
    out.push(Number(item));
  }
  if (out.some((s) => !Number.isSafeInteger(s))) return bad('a seed is too large');
  if (items.length === 1 && out.length === 1) {
    const n = out[0] as number;
    return bad(`one seed is not a list`, `for one seed write --seed ${n}${n > 1 ? `; for ${n} seeds write --seeds 0..${n - 1}` : ''}`);
  }
  const seen = new Set<number>();
  for (const s of out) {
    if (seen.has(s)) return E.left(usageError(SeedCodes.repeated, `--seeds ${text}: seed ${s} is listed twice`, 'two members with one seed train the same model twice; give each seed once'));
    seen.add(s);
  }
  return E.right(out);
};

/** The list as the user would write it again: ranges of consecutive seeds folded (`0..4,10`). */
export const showSeeds = (seeds: readonly number[]): string => {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; i++) {
    const a = seeds[i] as number;
    let j = i;
    while (seeds[j + 1] === (seeds[j] as number) + 1) j++;
    parts.push(j - i >= 2 ? `${a}..${seeds[j] as number}` : seeds.slice(i, j + 1).join(','));
    i = j;
  }
  return parts.join(',');
};

export interface SeedStat {
  readonly mean: number;
  /** The sample standard deviation (n − 1); NaN for one member. */
  readonly sd: number;
  readonly n: number;
}

/**
 * Mean and sample standard deviation over members of each final value (an unrolled ensemble's
 * per-member copies `name@m<i>` left out). A member without the value is not counted; a NaN
 * value (a diverged seed) makes the mean NaN, so that a failed seed cannot hide in the average.
 */
export const seedSummary = (members: readonly FinishedMember[]): Record<string, SeedStat> => {
  const names = [...new Set(members.flatMap((m) => Object.keys(m.final)))].filter((n) => !/@m\d+$/.test(n));
  const out: Record<string, SeedStat> = {};
  for (const name of names) {
    const xs = members.map((m) => m.final[name]).filter((v): v is number => v !== undefined);
    const n = xs.length;
    const mean = xs.reduce((a, x) => a + x, 0) / n;
    const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) * (x - mean), 0) / (n - 1)) : NaN;
    out[name] = { mean, sd, n };
  }
  return out;
};

const fmt = (v: number): string => (Number.isNaN(v) ? 'NaN' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4));

/** `over 5 seeds (0..4), final values, mean ± sample sd:` then one line per value. */
export const seedSummaryText = (seeds: readonly number[], s: Readonly<Record<string, SeedStat>>): string => {
  const rows = Object.entries(s).map(([name, v]) => [name, `${fmt(v.mean)} ± ${fmt(v.sd)}`, v.n < seeds.length ? `(${v.n} of ${seeds.length} seeds)` : '']);
  const width = Math.max(0, ...rows.map((r) => (r[0] ?? '').length));
  return [
    `over ${seeds.length} seeds (${showSeeds(seeds)}), final values, mean ± sample sd:`,
    ...rows.map((r) => `  ${(r[0] ?? '').padEnd(width)}  ${r[1] ?? ''}${r[2] !== '' ? ` ${r[2] ?? ''}` : ''}`),
  ].join('\n');
};

/**
 * Why a program cannot take a seed list, or undefined. A sweep would become a grid of values ×
 * seeds whose `select` would choose across seeds; a population draws its members' seeds from
 * the run seed already. Both are run once per seed instead (the hint says how).
 */
export const seedListRefusal = (ir: IRProgram, file: string, seeds: readonly number[]): string | undefined => {
  const each = seeds.slice(0, 3).join(' ') + (seeds.length > 3 ? ' …' : '');
  const loop = (what: string): string =>
    `run the ${what} once per seed: for s in ${each}; do xreg run ${file} --seed $s --out runs/seed-$s; done`;
  if (ir.sweep !== undefined) {
    return usageError(
      SeedCodes.withSweep,
      `--seeds: ${file} has a sweep (${ir.sweep.variables.join(' × ')}, ${ir.sweep.members.length} ${ir.sweep.variables.length > 1 ? 'members' : 'values'}); a seed list over it would train every value under every seed${ir.sweep.select !== undefined ? `, and select would choose across seeds` : ''}`,
      loop('sweep'),
    );
  }
  if (ir.population !== undefined) {
    return usageError(SeedCodes.withPopulation, `--seeds: ${file} is a population, whose ${ir.population.size} members already draw their seeds from the run seed`, loop('population'));
  }
  return undefined;
};
