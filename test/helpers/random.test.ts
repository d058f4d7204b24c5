/** The shared test generator against mulberry32 written again in BigInt arithmetic, and its moments. */
import { describe, expect, it } from 'vitest';
import { rng } from './random.js';

const M = 2n ** 32n;
const u32 = (v: bigint): bigint => ((v % M) + M) % M;
const imul = (a: bigint, b: bigint): bigint => u32(a * b);

/** mulberry32 on unsigned 32-bit values held exactly as BigInts (no Math.imul, no >>>). */
const reference = (seed: number, n: number): number[] => {
  let a = u32(BigInt(seed));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = u32(a + 0x6d2b79f5n);
    let x = imul(a ^ (a >> 15n), 1n | a);
    x = u32(x + imul(x ^ (x >> 7n), 61n | x)) ^ x;
    out.push(Number(x ^ (x >> 14n)) / 2 ** 32);
  }
  return out;
};

describe('rng (mulberry32)', () => {
  it.each([0, 1, 42, 2 ** 31 + 5])('seed %d matches the BigInt reference', (seed) => {
    const r = rng(seed);
    expect(Array.from({ length: 50 }, r)).toEqual(reference(seed, 50));
  });

  it('draws lie in [0, 1) with mean ≈ 1/2 and variance ≈ 1/12; seeds give different streams', () => {
    const n = 20000;
    const xs = Array.from({ length: n }, rng(7));
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = xs.reduce((a, v) => a + v, 0) / n;
    const variance = xs.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
    // Standard errors: 0.29/√n ≈ 0.002 for the mean, ≈ 0.0005 for the variance.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
    expect(Array.from({ length: 5 }, rng(8))).not.toEqual(xs.slice(0, 5));
  });
});
