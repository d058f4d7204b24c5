/**
 * `solver_residual(p)` in a report: the relative residual ‖Hv − b‖/‖b‖ the implicit solve of p's
 * rule left at its last firing. NaN before the first solve; below the tolerance once CG has the
 * steps to reach it, and above it with one step; a rule without an implicit solve is refused (E0229).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batches } from '../../compiler/lower/types.js';
import { compile } from './helpers.js';
import { numbers } from './lower-ir.js';
import { lowerText } from './lower-text.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const program = (through: string): string => `data d = correlated_features(base: 3, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[6] = 0
param log_lam : Scalar = -3
loss fit = mse(x @ w, y) + exp(log_lam) * l2(w) over train
loss gen = mse(x @ w, y) over reg
update w by sgd(lr: 0.1) on fit
update log_lam by sgd(lr: 0.1) on gen ${through}
run 24 steps batch 10
report every 4 steps: gen, res = solver_residual(log_lam)
`;

const batches: Batches = {
  'd.train': { x: tf.tensor(Float32Array.from(numbers(60, 1)), [10, 6]), y: tf.tensor(Float32Array.from(numbers(10, 2))) },
  'd.reg': { x: tf.tensor(Float32Array.from(numbers(60, 3)), [10, 6]), y: tf.tensor(Float32Array.from(numbers(10, 4))) },
};

/** The logged residual before any step and after one step of each rule. */
const residuals = (through: string): { before: number; after: number } => {
  const low = lowerText(program(through));
  const item = low.reports.find((r) => r.name === 'res');
  if (item === undefined) throw new Error('no report item res');
  const s0 = low.init(0);
  const s1 = low.rules[0]!.step(s0, batches, 0);
  const s2 = low.rules[1]!.step(s1, batches, 1);
  return { before: item.evaluate(s0, batches, 0).value, after: item.evaluate(s2, batches, 0).value };
};

describe('solver_residual', () => {
  it('is NaN before the first solve, then what the solve left (under its tolerance when it converges)', () => {
    const r = residuals('through fit(iterations: 50, tolerance: 1e-4)');
    expect(r.before).toBeNaN();
    expect(r.after).toBeGreaterThanOrEqual(0);
    expect(r.after).toBeLessThanOrEqual(1e-4);
  });

  it('is larger after one conjugate-gradient step than after fifty', () => {
    const one = residuals('through fit(iterations: 1, tolerance: 1e-9)').after;
    const fifty = residuals('through fit(iterations: 50, tolerance: 1e-9)').after;
    expect(one).toBeGreaterThan(1e-3);
    expect(one).toBeLessThan(1);
    expect(fifty).toBeLessThan(one / 10);
  });

  it('is measured for the Neumann series too', () => {
    const r = residuals('through fit(solver: "neumann", iterations: 20)').after;
    expect(Number.isFinite(r)).toBe(true);
    expect(r).toBeGreaterThan(0);
  });

  it('is refused for a rule that solves nothing (E0229)', () => {
    expect(compile(program('through fit for 2 steps')).diagnostics.map((d) => d.code)).toContain('E0229');
    expect(compile(program('')).diagnostics.map((d) => d.code)).toContain('E0229');
  });
});
