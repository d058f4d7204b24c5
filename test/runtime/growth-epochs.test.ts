/**
 * A growing training split, run end to end: an epoch is one pass over the examples in use, so the
 * epoch's length in steps changes at the growth point (reports `every 1 epochs` land there).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IRProgram } from '../../compiler/ir.js';
import { execute } from '../../runtime/exec/loop.js';
import { disposeState } from '../../runtime/exec/state.js';
import type { ReportRecord } from '../../runtime/exec/member.js';
import { fixtureData, fixtureIR, fixtureProgram } from './fixture.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const growing = (ir: IRProgram, from: number, untilEpoch: number): IRProgram => ({
  ...ir,
  data: ir.data.map((d) => ({ ...d, splits: d.splits.map((s) => (s.name === 'train' ? { ...s, grow: { from, untilEpoch } } : s)) })),
});

const reportSteps = async (ir: IRProgram): Promise<{ at: [number, number][]; total: number }> => {
  const records: ReportRecord[] = [];
  const r = await execute(fixtureProgram(ir), fixtureData(ir), { seed: 1, checkpointEvery: 0, onReport: (x) => records.push(x) });
  for (const s of r.states) disposeState(s);
  return { at: records.map((x) => [x.step, x.epoch]), total: r.total };
};

describe('epochs of a growing split', () => {
  it('are passes over the part in use before the growth point, over the whole split after it', async () => {
    // 32 training examples, batch 8; 25% (8 examples: 1 step) until epoch 2, then 4 steps per epoch.
    const ir = growing(fixtureIR({ run: { n: 4, unit: 'epochs' }, reportEvery: { n: 1, unit: 'epochs' } }), 0.25, 2);
    const { at, total } = await reportSteps(ir);
    expect(total).toBe(2 * 1 + 2 * 4);
    expect(at).toEqual([
      [1, 1],
      [2, 2],
      [6, 3],
      [10, 4],
    ]);
  });
  it('leave a split that does not grow as it was: 4 steps per epoch throughout', async () => {
    const { at, total } = await reportSteps(fixtureIR({ run: { n: 4, unit: 'epochs' }, reportEvery: { n: 1, unit: 'epochs' } }));
    expect(total).toBe(16);
    expect(at).toEqual([
      [4, 1],
      [8, 2],
      [12, 3],
      [16, 4],
    ]);
  });
});
