/**
 * Live tensors stay flat across steps on real compiled programs (not only the hand-written
 * fixture): LASSO's two geometric rules with momentum, and the noisy MLP on digits whose split
 * grows, whose σ rule fires every 30 steps and whose reports average three noisy predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { selectBackend } from '../../runtime/backend/select.js';
import { prepareData } from '../../runtime/exec/data.js';
import { execute } from '../../runtime/exec/loop.js';
import { stepsPerEpoch } from '../../runtime/exec/schedule.js';
import { disposeState } from '../../runtime/exec/state.js';
import { standardLibrary } from '../../stdlib/registry.js';

beforeAll(async () => {
  const b = await selectBackend('wasm');
  if (E.isLeft(b)) throw new Error(b.left);
});

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

const load = async (file: string) => {
  const c = compileText(readFileSync(file, 'utf8'), file, { readFile, overrides: {} });
  if (c.ir === undefined) throw new Error(`${file} does not compile`);
  const data = await prepareData(c.ir, standardLibrary);
  if (E.isLeft(data)) throw new Error(data.left.message);
  const lowered = lowerProgram(c.ir, standardLibrary, { stepsPerEpoch: stepsPerEpoch(data.right.main.size, c.ir.run.batch) });
  if (E.isLeft(lowered)) throw new Error(lowered.left.map((d) => d.message).join('\n'));
  return { program: lowered.right, data: data.right };
};

describe('live tensors stay flat over 300 steps of a compiled program', () => {
  for (const file of ['programs/crossreg/lasso.xreg', 'programs/noise/growing_data.xreg']) {
    it(file, async () => {
      const { program, data } = await load(file);
      // A short run first: lowering and the backend may create constants once, on first use.
      const warm = await execute(program, data, { seed: 3, checkpointEvery: 0, length: { steps: 35 } });
      for (const s of warm.states) disposeState(s);
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      let reports = 0;
      const r = await execute(program, data, {
        seed: 3,
        checkpointEvery: 0,
        length: { steps: 300 },
        onReport: () => reports++,
        onStep: (m) => (m.state.step % 25 === 0 ? counts.push(tf.memory().numTensors) : undefined),
      });
      expect(r.outcome).toBe('completed');
      expect(reports).toBeGreaterThanOrEqual(3);
      expect(counts).toHaveLength(12);
      expect(new Set(counts).size).toBe(1);
      for (const s of r.states) disposeState(s);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
