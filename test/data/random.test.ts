import { describe, expect, it } from 'vitest';
import { makeRng, mixSeeds, permutation } from '../../stdlib/data/random.js';

const draws = (f: () => number, n: number): number[] => Array.from({ length: n }, f);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};

describe('seeded PRNG', () => {
  it('repeats a sequence for the same seed and changes it for another', () => {
    const a = draws(makeRng(7).uniform, 50);
    expect(draws(makeRng(7).uniform, 50)).toEqual(a);
    expect(draws(makeRng(8).uniform, 50)).not.toEqual(a);
    expect(mixSeeds(1, 2)).not.toBe(mixSeeds(2, 1));
    expect(mixSeeds(1)).not.toBe(mixSeeds(1 + 2 ** 32));
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const n = 40000;
    const u = draws(makeRng(3).uniform, n);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    // Tolerances are five standard errors of each estimate.
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
  });

  it('draws standard normals: mean 0, variance 1, 68.27% within one deviation', () => {
    const n = 40000;
    const z = draws(makeRng(11).normal, n);
    expect(Math.abs(mean(z))).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance(z) - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    const inside = z.filter((v) => Math.abs(v) < 1).length / n;
    expect(Math.abs(inside - 0.682689)).toBeLessThan(5 * Math.sqrt(0.6827 * 0.3173 / n));
  });

  it('makes permutations that hold every index once and put each index anywhere', () => {
    const p = permutation(100, makeRng(5));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Where index 0 lands over many shuffles of 4 should be roughly uniform.
    const counts = [0, 0, 0, 0];
    const rng = makeRng(9);
    for (let k = 0; k < 4000; k++) {
      const q = permutation(4, rng);
      const at = q.indexOf(0);
      counts[at] = (counts[at] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(5 * Math.sqrt(4000 * 0.25 * 0.75));
  });
});
