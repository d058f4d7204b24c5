/**
 * The noise layers' Gaussian generator (stdlib/random/gaussian.ts): seeded and deterministic, and
 * standard normal by moments, by a Kolmogorov–Smirnov test against Φ (an independent erf
 * approximation, Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), in the tails the ziggurat handles
 * by rejection, and without correlation between neighbours. Thresholds are ≥ 4.5 standard errors
 * (KS at α = 0.001), so the fixed seeds below do not sit near them.
 */
import { describe, expect, it } from 'vitest';
import { gaussianFill } from '../../stdlib/random/gaussian.js';

const erf = (x: number): number => {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
};
const phi = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

const moments = (xs: Float32Array): { mean: number; variance: number; skew: number; exKurt: number } => {
  const n = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - m;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean: m, variance: m2, skew: m3 / m2 ** 1.5, exKurt: m4 / (m2 * m2) - 3 };
};

describe('seeded Gaussian draws', () => {
  it('the same seed gives the same numbers, another seed others, and a length is a prefix of a longer draw', () => {
    const a = gaussianFill(1001, 42);
    expect(Array.from(gaussianFill(1001, 42))).toEqual(Array.from(a));
    expect(Array.from(gaussianFill(10, 42))).toEqual(Array.from(a.subarray(0, 10)));
    const b = gaussianFill(1001, 43);
    expect(b.filter((x, i) => x === a[i]).length).toBeLessThan(3);
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('has the standard normal moments (n = 400,000)', () => {
    const n = 400_000;
    for (const seed of [1, 987654321]) {
      const m = moments(gaussianFill(n, seed));
      expect(Math.abs(m.mean)).toBeLessThan(4.5 / Math.sqrt(n));
      expect(Math.abs(m.variance - 1)).toBeLessThan(4.5 * Math.sqrt(2 / n));
      expect(Math.abs(m.skew)).toBeLessThan(4.5 * Math.sqrt(6 / n));
      expect(Math.abs(m.exKurt)).toBeLessThan(4.5 * Math.sqrt(24 / n));
    }
  });

  it('passes a Kolmogorov–Smirnov test against Φ (n = 100,000, α = 0.001)', () => {
    const n = 100_000;
    const xs = Float64Array.from(gaussianFill(n, 7)).sort();
    let d = 0;
    xs.forEach((x, i) => {
      const f = phi(x);
      d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
    });
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    // A shifted sample fails the same test: the statistic can see a 0.02σ bias.
    let dShift = 0;
    xs.forEach((x, i) => {
      const f = phi(x + 0.02);
      dShift = Math.max(dShift, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
    });
    expect(dShift).toBeGreaterThan(1.95 / Math.sqrt(n));
  });

  it('puts the right mass in the tails (beyond 2, 3 and the ziggurat base 3.44) and none of it infinite', () => {
    const n = 1_000_000;
    const xs = gaussianFill(n, 11);
    for (const c of [2, 3, 3.442619855899, 4]) {
      const p = 2 * (1 - phi(c));
      const count = xs.filter((x) => Math.abs(x) > c).length;
      expect(Math.abs(count - n * p)).toBeLessThan(4.5 * Math.sqrt(n * p * (1 - p)) + 1);
    }
  });

  it('neighbouring draws are uncorrelated (lag 1, 2 and 128, the ziggurat’s layer count)', () => {
    const n = 200_000;
    const xs = gaussianFill(n, 5);
    for (const lag of [1, 2, 128]) {
      let s = 0;
      for (let i = lag; i < n; i++) s += xs[i]! * xs[i - lag]!;
      expect(Math.abs(s / (n - lag))).toBeLessThan(4.5 / Math.sqrt(n));
    }
  });
});
