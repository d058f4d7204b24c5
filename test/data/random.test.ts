import { describe, expect, it } from 'vitest';
import { makeRng, mixSeeds, permutation, splitmix32 } from '../../stdlib/data/random.js';

const draws = (f: () => number, n: number): number[] => Array.from({ length: n }, f);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};

/** xoshiro128** (Blackman and Vigna) in BigInt arithmetic modulo 2³², from `state`: n output words. */
const xoshiroWords = (state: readonly bigint[], n: number): bigint[] => {
  const M = 0xffffffffn;
  const s = [...state];
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
  return Array.from({ length: n }, () => {
    const [s0, s1, s2, s3] = s as [bigint, bigint, bigint, bigint];
    const out = (rotl((s1 * 5n) & M, 7n) * 9n) & M;
    const t = (s1 << 9n) & M;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s.splice(0, 4, s0 ^ n3, s1 ^ n2, n2 ^ t, rotl(n3, 11n));
    return out;
  });
};

/** makeRng's uniforms from an independent twin of its generator, seeded as makeRng seeds it. */
const twinUniforms = (seed: number, n: number): number[] => {
  const sm = splitmix32(mixSeeds(seed));
  const state = [BigInt(sm()), BigInt(sm()), BigInt(sm()), BigInt(sm())];
  if (!state.some((w) => w !== 0n)) state[0] = 1n;
  const w = xoshiroWords(state, 2 * n);
  return Array.from({ length: n }, (_, i) => Number((w[2 * i]! >> 5n) * 67108864n + (w[2 * i + 1]! >> 6n)) / 9007199254740992);
};

describe('seeded PRNG', () => {
  it('draws the uniforms of xoshiro128** computed in BigInt, to the bit', () => {
    for (const seed of [0, 7, -1, 2 ** 40 + 5, 123_456_789]) expect(draws(makeRng(seed).uniform, 5000)).toEqual(twinUniforms(seed, 5000));
    // The twin against the reference generator's first words from the state 1, 2, 3, 4.
    expect(xoshiroWords([1n, 2n, 3n, 4n], 3)).toEqual([11520n, 0n, 5927040n]);
  });

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
