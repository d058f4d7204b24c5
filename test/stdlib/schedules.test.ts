/** Learning-rate schedules against their formulas, written out again here. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { makeLrSchedule, scheduleNames } from '../../stdlib/optimizers/index.js';
import type { ConstArgs, LrSchedule } from '../../stdlib/types.js';

const make = (base: number, options: ConstArgs): LrSchedule => {
  const r = makeLrSchedule(base, options);
  if (E.isLeft(r)) return expect.fail(r.left);
  return r.right;
};

const leftOf = (base: number, options: ConstArgs): string => {
  const r = makeLrSchedule(base, options);
  return E.isLeft(r) ? r.left : expect.fail('expected a Left');
};

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('makeLrSchedule', () => {
  it('constant by default, for every update and any total', () => {
    const s = make(0.3, {});
    for (const t of [0, 1, 99, 1000]) expect(s(t, 100)).toBe(0.3);
    expect(make(0.3, { lr: 0.3, beta1: 0.9 })(5, 10)).toBe(0.3); // an optimizer's other options are ignored
  });

  it('warm-up rises linearly from base/W to base over W updates, then hands over', () => {
    const s = make(0.2, { warmup: 4 });
    expect(range(6).map((t) => s(t, 100))).toEqual(range(6).map((t) => (t < 4 ? (0.2 * (t + 1)) / 4 : 0.2)));
    expect(s(3, 100)).toBeCloseTo(0.2, 15);
    // strictly increasing during warm-up, each step the same increment
    const diffs = range(3).map((t) => s(t + 1, 100) - s(t, 100));
    for (const d of diffs) expect(d).toBeCloseTo(0.05, 15);
  });

  it('step: ×gamma every step_every updates', () => {
    const s = make(1, { schedule: 'step', step_every: 3, step_gamma: 0.5 });
    expect(range(10).map((t) => s(t, 10))).toEqual(range(10).map((t) => 0.5 ** Math.floor(t / 3)));
    expect(s(2, 10)).toBe(1);
    expect(s(3, 10)).toBe(0.5);
  });

  it('step after warm-up counts from the end of the warm-up', () => {
    const s = make(1, { schedule: 'step', step_every: 2, step_gamma: 0.1, warmup: 2 });
    const want = [0.5, 1, 1, 1, 0.1, 0.1, 0.1 ** 2];
    range(7).forEach((t) => expect(s(t, 100)).toBeCloseTo(want[t] as number, 14));
  });

  it('cosine: base at the start, min_lr at the end, the mean of the two halfway, monotone', () => {
    const base = 0.1;
    const minLr = 0.01;
    const T = 50;
    const s = make(base, { schedule: 'cosine', min_lr: minLr });
    expect(s(0, T)).toBeCloseTo(base, 15);
    expect(s(T, T)).toBeCloseTo(minLr, 15);
    expect(s(T / 2, T)).toBeCloseTo((base + minLr) / 2, 15);
    expect(s(10 * T, T)).toBeCloseTo(minLr, 15);
    for (const t of range(T)) {
      expect(s(t, T)).toBeCloseTo(minLr + ((base - minLr) * (1 + Math.cos((Math.PI * t) / T))) / 2, 15);
      expect(s(t + 1, T)).toBeLessThanOrEqual(s(t, T));
    }
  });

  it('cosine with warm-up: rises to base, then decays over the remaining updates to min_lr', () => {
    const s = make(1, { schedule: 'cosine', warmup: 10 });
    expect(s(0, 110)).toBeCloseTo(0.1, 15);
    expect(s(9, 110)).toBeCloseTo(1, 15);
    expect(s(10, 110)).toBeCloseTo(1, 15);
    expect(s(60, 110)).toBeCloseTo(0.5, 15);
    expect(s(110, 110)).toBeCloseTo(0, 15);
    // a run no longer than its warm-up never leaves base after the warm-up
    expect(make(1, { schedule: 'cosine', warmup: 10 })(12, 10)).toBe(1);
  });

  it('rejects unknown schedules, listing the known ones', () => {
    const msg = leftOf(0.1, { schedule: 'linear' });
    expect(msg).toContain("'linear'");
    for (const n of scheduleNames) expect(msg).toContain(`"${n}"`);
  });

  const bad: [ConstArgs, string][] = [
    [{ schedule: 'step' }, 'step_every'],
    [{ schedule: 'step', step_every: 2.5 }, 'step_every'],
    [{ schedule: 'step', step_every: 2, step_gamma: 0 }, 'step_gamma'],
    [{ warmup: -1 }, 'warmup'],
    [{ warmup: 1.5 }, 'warmup'],
    [{ schedule: 'cosine', min_lr: 1 }, 'min_lr'],
    [{ schedule: 3 }, 'schedule'],
  ];
  it.each(bad)('rejects %j, naming %s', (options, mention) => {
    expect(leftOf(0.1, options)).toContain(mention);
  });

  it('rejects a negative or non-finite base rate', () => {
    expect(leftOf(-0.1, {})).toContain('learning rate');
    expect(leftOf(Number.NaN, {})).toContain('learning rate');
  });
});
