/**
 * The gradients rules applied, kept for `applied_grad(p)` in a report. They live in the run
 * state's optimizer map under one entry that no rule can be named (rule names have no spaces), so
 * checkpoints, population copies and the release of replaced tensors treat them like any optimizer
 * slot, and a resumed run reports what the interrupted one would have.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { OptState } from '../../stdlib/types.js';
import type { RunState } from './types.js';

export const APPLIED = 'applied gradients';

/** Parameter path → [the gradient last applied to it]; zeros (from `init`) before its rule first fires. */
export const appliedOf = (s: RunState): Readonly<Record<string, readonly tf.Tensor[]>> => s.opt[APPLIED]?.slots ?? {};

/**
 * The optimizer map with `grads` recorded as the last gradients applied to `paths`; each entry is
 * [gradient] or, after an implicit solve, [gradient, residual] (`solver_residual`).
 */
export const recordApplied = (
  opt: Readonly<Record<string, OptState>>,
  paths: readonly string[],
  grads: readonly (readonly tf.Tensor[])[],
): Readonly<Record<string, OptState>> => {
  const slots: Record<string, readonly tf.Tensor[]> = { ...(opt[APPLIED]?.slots ?? {}) };
  paths.forEach((p, i) => {
    const g = grads[i];
    if (g !== undefined) slots[p] = g;
  });
  return { ...opt, [APPLIED]: { t: 0, slots } };
};
