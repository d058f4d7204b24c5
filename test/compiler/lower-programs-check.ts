/**
 * The whole compiler on a real program: compileText (imports read from disk, no data) →
 * lowerProgram → init → one step of every rule and one evaluation of every observable, on small
 * synthetic batches shaped by the IR's data schemas.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { disposeState, releaseOld } from '../../compiler/lower/release.js';
import type { RunState } from '../../compiler/lower/types.js';
import { compileFile, lowerFirst, syntheticBatches } from './program-fixtures.js';

export { compileFile, isHeavy, lowerFirst, programs } from './program-fixtures.js';

const values = (t: tf.Tensor | undefined): Float32Array => Float32Array.from(t?.dataSync() ?? []);
const finite = (t: tf.Tensor | undefined): boolean => values(t).every(Number.isFinite);

/**
 * Lowers `file` (a sweep at its first value), steps every rule once in order on one threaded
 * state, evaluates every observable: every rule moves some target, everything stays finite, and
 * no tensor outlives the run.
 */
export const checkProgram = (file: string): void => {
  const ir = compileFile(file);
  const lw = lowerFirst(ir);
  const batches = syntheticBatches(ir);
  const before = tf.memory().numTensors;
  let s: RunState = lw.init(3);
  expect(Object.keys(s.params).sort()).toEqual(lw.ir.params.map((p) => p.path).sort());
  expect(Object.values(s.params).every(finite)).toBe(true);
  const rules = [...lw.rules, ...lw.phases.flatMap((p) => p.rules)];
  expect(rules.length).toBeGreaterThan(0);
  const unmoved: string[] = [];
  rules.forEach((r, k) => {
    const next = r.step(s, batches, 100 + k);
    const moved = r.ir.targets.some((p) => {
      const a = values(s.params[p]);
      const b = values(next.params[p]);
      return a.some((v, i) => v !== b[i]);
    });
    if (!moved) unmoved.push(r.name);
    for (const p of r.ir.targets) expect(finite(next.params[p]), `${r.name}: ${p}`).toBe(true);
    expect(next.opt[r.name]?.t, r.name).toBe((s.opt[r.name]?.t ?? 0) + 1);
    releaseOld(s, next);
    s = next;
  });
  expect(unmoved).toEqual([]);
  for (const o of [...lw.losses, ...lw.metrics, ...lw.reports]) {
    const e = o.evaluate(s, batches, 7);
    expect(Number.isFinite(e.value), `${o.name} = ${e.value}`).toBe(true);
    releaseOld(s, e.state);
    s = e.state;
  }
  disposeState(s);
  expect(tf.memory().numTensors).toBe(before);
  for (const b of Object.values(batches)) for (const t of Object.values(b)) t.dispose();
};
