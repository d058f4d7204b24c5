import { describe, expect, it } from 'vitest';
import { logAxis, maxOf, minOf, prefersLog } from '../../runtime/plot/ticks.js';

const isPowerOfTen = (v: number): boolean => {
  const k = Math.log10(v);
  return Math.abs(k - Math.round(k)) < 1e-12;
};

describe('logAxis', () => {
  it('encloses the values in whole decades with a tick on each power of ten', () => {
    const a = logAxis([0.003, 0.5, 42]);
    expect(a).toBeDefined();
    expect(a?.domain[0]).toBeCloseTo(1e-3, 15);
    expect(a?.domain[1]).toBeCloseTo(1e2, 12);
    expect(a?.ticks.map((v) => Math.round(Math.log10(v)))).toEqual([-3, -2, -1, 0, 1, 2]);
    for (const v of a?.ticks ?? []) expect(isPowerOfTen(v)).toBe(true);
  });

  it('spans one decade when all values sit in the same one, and ignores non-positive values', () => {
    const a = logAxis([2, 3, -1, 0, NaN]);
    expect(a?.ticks).toEqual([1, 10]);
  });

  it('thins the ticks over many decades but keeps them powers of ten', () => {
    const a = logAxis([1e-12, 1e6], 8);
    const ticks = a?.ticks ?? [];
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const v of ticks) expect(isPowerOfTen(v)).toBe(true);
    expect(ticks[0]).toBe(1e-12);
  });

  it('has nothing to say without a positive value', () => {
    expect(logAxis([0, -2])).toBeUndefined();
  });
});

describe('prefersLog', () => {
  it('asks for two decades of positive values', () => {
    expect(prefersLog([0.01, 1])).toBe(true);
    expect(prefersLog([0.1, 1])).toBe(false);
    expect(prefersLog([0, 1, 1000])).toBe(false);
    expect(prefersLog([])).toBe(false);
  });
});

describe('minOf / maxOf', () => {
  it('handle more values than a spread call accepts', () => {
    const xs = Array.from({ length: 300_000 }, (_, i) => Math.sin(i) * i);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of xs) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    expect(minOf(xs)).toBe(lo);
    expect(maxOf(xs)).toBe(hi);
  });
});
