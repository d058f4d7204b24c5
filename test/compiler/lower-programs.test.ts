/**
 * Every program under programs/ compiles and lowers without diagnostics; the ones whose rules are
 * plain dense networks and closed forms also take one step of every rule here, on tfjs-cpu.
 * Those that differentiate through convolutions or learned augmentation take theirs in
 * lower-programs-wasm.test.ts: tfjs-cpu's Conv2DBackpropFilter and UnsortedSegmentSum (gather's
 * gradient) take minutes at these sizes.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProgram, compileFile, isHeavy, lowerFirst, programs } from './lower-programs-check.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('every program compiles and lowers without diagnostics', () => {
  it('finds programs', () => expect(programs.length).toBeGreaterThan(10));
  for (const file of programs) {
    it(file, () => {
      const lw = lowerFirst(compileFile(file));
      expect(lw.rules.length + lw.phases.flatMap((p) => p.rules).length).toBeGreaterThan(0);
    });
  }
});

describe('one finite step of every rule (tfjs-cpu)', () => {
  for (const file of programs.filter((f) => !isHeavy(compileFile(f)))) it(file, () => checkProgram(file));
});
