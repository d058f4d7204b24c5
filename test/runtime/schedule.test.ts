import { describe, expect, it } from 'vitest';
import { fires, phaseAt, reportDue, stepsPerEpoch, totalSteps } from '../../runtime/exec/schedule.js';

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
