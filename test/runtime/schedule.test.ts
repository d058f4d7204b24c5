import { describe, expect, it } from 'vitest';
import { uniformClock } from '../../compiler/lower/clock.js';
import { firings } from '../../compiler/lower/schedule.js';
import { epochOf, fires, nextFiring, phaseAt, reportDue, runClock, stepsPerEpoch, totalSteps } from '../../runtime/exec/schedule.js';

const steps = (n: number) => ({ n, unit: 'steps' as const });
const epochs = (n: number) => ({ n, unit: 'epochs' as const });
const firing = (s: Parameters<typeof fires>[0], upto: number, spe: number): number[] =>
  Array.from({ length: upto }, (_, i) => i).filter((i) => fires(s, i, spe));

describe('schedule', () => {
  it('steps per epoch is ceil(n_train / batch)', () => {
    expect(stepsPerEpoch(100, 32)).toBe(4);
    expect(stepsPerEpoch(96, 32)).toBe(3);
    expect(stepsPerEpoch(5, 512)).toBe(1);
  });
  it('every n steps from 0', () => {
    expect(firing({ every: steps(3) }, 10, 4)).toEqual([0, 3, 6, 9]);
    expect(firing({ every: steps(1) }, 4, 4)).toEqual([0, 1, 2, 3]);
  });
  it('from and until bound the window; every counts from `from`', () => {
    expect(firing({ every: steps(2), from: steps(5), until: steps(11) }, 20, 4)).toEqual([5, 7, 9]);
    expect(firing({ every: steps(1), until: steps(3) }, 10, 4)).toEqual([0, 1, 2]);
  });
  it('epochs are measured in steps of the main split', () => {
    // 4 steps per epoch: every 2 epochs fires at the first step of epochs 0, 2, 4.
    expect(firing({ every: epochs(2) }, 20, 4)).toEqual([0, 8, 16]);
    expect(firing({ every: steps(1), from: epochs(1), until: epochs(2) }, 20, 4)).toEqual([4, 5, 6, 7]);
  });
  it('total steps: overrides win over the program length', () => {
    expect(totalSteps(steps(6000), 4)).toBe(6000);
    expect(totalSteps(epochs(10), 4)).toBe(40);
    expect(totalSteps(epochs(10), 4, { steps: 20 })).toBe(20);
    expect(totalSteps(steps(6000), 4, { epochs: 3 })).toBe(12);
  });
  it('phases follow each other; the last runs to the end', () => {
    const phases = [{ length: epochs(2) }, { length: steps(3) }, {}];
    expect(phaseAt(phases, 0, 4)).toEqual({ index: 0, start: 0 });
    expect(phaseAt(phases, 7, 4)).toEqual({ index: 0, start: 0 });
    expect(phaseAt(phases, 8, 4)).toEqual({ index: 1, start: 8 });
    expect(phaseAt(phases, 11, 4)).toEqual({ index: 2, start: 11 });
    expect(phaseAt(phases, 1000, 4)).toEqual({ index: 2, start: 11 });
    expect(phaseAt([], 3, 4)).toBeUndefined();
  });
  it('reports are due every period after some steps, never at step 0', () => {
    expect([0, 5, 9, 10, 20].filter((d) => reportDue(steps(10), d, 4))).toEqual([10, 20]);
    expect([4, 8, 12].filter((d) => reportDue(epochs(2), d, 4))).toEqual([8]);
  });
});

describe('a growing split: an epoch is one pass over the data in use', () => {
  // 2,000 training examples, batch 64, 20% until epoch 10: 7 steps per epoch (400 examples), then 32.
  const clock = runClock(2000, 64, { from: 0.2, untilEpoch: 10 });
  const every = (n: number, upto: number): number[] => Array.from({ length: upto }, (_, i) => i).filter((i) => fires({ every: epochs(n) }, i, clock));

  it('epochs are 7 steps before the growth point and 32 from it on', () => {
    expect(clock.spans.map((s) => s.spe)).toEqual([stepsPerEpoch(400, 64), stepsPerEpoch(2000, 64)]);
    expect([0, 6, 7, 69, 70, 101, 102].map((s) => epochOf(s, clock))).toEqual([0, 0, 1, 9, 10, 10, 11]);
    expect(every(1, 140)).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 102, 134]);
    // epochs 0, 4, 8 are short; epoch 12 begins 2 full epochs after the growth point.
    expect(every(4, 200)).toEqual([0, 28, 56, 70 + 2 * 32]);
  });
  it('run N epochs, reports, `for N epochs` and `until epoch K` count those passes', () => {
    expect(totalSteps(epochs(20), clock)).toBe(10 * 7 + 10 * 32);
    expect(totalSteps(steps(500), clock, { epochs: 12 })).toBe(70 + 64);
    expect([7, 14, 70, 96, 102].filter((d) => reportDue(epochs(1), d, clock))).toEqual([7, 14, 70, 102]);
    expect(Array.from({ length: 200 }, (_, i) => i).filter((i) => fires({ every: steps(1), from: epochs(9), until: epochs(11) }, i, clock))).toEqual(
      Array.from({ length: 7 + 32 }, (_, i) => 63 + i),
    );
    const phases = [{ length: epochs(12) }, {}];
    expect(phaseAt(phases, 133, clock)).toEqual({ index: 0, start: 0 });
    expect(phaseAt(phases, 134, clock)).toEqual({ index: 1, start: 134 });
    // A phase that starts at epoch 8 and lasts 3 epochs: two short ones and one full one.
    expect(phaseAt([{ length: epochs(8) }, { length: epochs(3) }, {}], 56 + 14 + 32, clock)).toEqual({ index: 2, start: 102 });
  });
  it('a rule every N epochs inside a phase counts from the phase start on the same clock', () => {
    const at = Array.from({ length: 200 }, (_, i) => i).filter((i) => fires({ every: epochs(1) }, i, clock, 56));
    expect(at.slice(0, 5)).toEqual([56, 63, 70, 102, 134]);
  });
  it('the next exploit point of a population `every 2 epochs`', () => {
    expect([0, 13, 14, 69, 70, 133].map((s) => nextFiring(epochs(2), s, clock, 390))).toEqual([14, 14, 28, 70, 134, 134]);
    expect(nextFiring(epochs(2), 380, clock, 390)).toBe(390);
  });
  it('a learning-rate schedule counts the firings of the growing clock', () => {
    expect(firings({ every: epochs(1) }, epochs(20), clock)).toBe(20);
    expect(firings({ every: steps(1) }, epochs(20), clock)).toBe(390);
    expect(firings({ every: epochs(1) }, epochs(20), 32)).toBe(20);
  });
  it('a split that does not grow keeps one epoch length: the plain n · spe arithmetic', () => {
    const plain = runClock(2000, 64, undefined);
    expect(plain).toEqual(uniformClock(32));
    for (const s of [{ every: epochs(2) }, { every: steps(3), from: epochs(1), until: epochs(4) }, { every: epochs(0.5) }])
      expect(firing(s, 300, 32)).toEqual(Array.from({ length: 300 }, (_, i) => i).filter((i) => fires(s, i, plain)));
    expect(totalSteps(epochs(20), plain)).toBe(640);
  });
});
