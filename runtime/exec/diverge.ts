/**
 * Divergence: the first update that leaves a parameter NaN or ±Infinity. Every later number of the
 * run is meaningless, so it is caught at that step (not at the next report, and not at the end as
 * a NaN summary) and named with the rule, its loss and its place in the program.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LoweredRule, RunState } from '../../compiler/lower/types.js';
import { knownFinite } from '../../stdlib/optimizers/finite-known.js';

export interface Divergence {
  /** The update count after the rule ran (the `step` of metrics.jsonl). */
  readonly step: number;
  readonly rule: string;
  readonly loss?: string;
  /** The parameter found non-finite; absent when a reported loss was non-finite first. */
  readonly parameter?: string;
  /** The non-finite loss value reported ("NaN", "Infinity"); absent when a parameter was found first. */
  readonly value?: string;
  /** `file:line:column` of the rule. */
  readonly at: string;
  /** A non-finite reported loss: the first expression in it whose value was not finite, and where. */
  readonly first?: { readonly what: string; readonly at: string };
  readonly member?: number;
}

/**
 * Whether each parameter the rule changed is finite (1) or not (0), as one small tensor read after
 * the step: asynchronously, since a GPU backend under Node (webgpu) has no synchronous read.
 */
export interface FiniteCheck {
  readonly names: readonly string[];
  readonly flags: tf.Tensor;
}

export const finiteCheck = (before: RunState, after: RunState): FiniteCheck | undefined => {
  // A parameter whose writer saw every value finite (the fused Adam update) is not read again.
  const changed = Object.entries(after.params).filter(([k, v]) => before.params[k] !== v && knownFinite(v.dataId) !== true);
  if (changed.length === 0) return undefined;
  return { names: changed.map(([k]) => k), flags: tf.tidy(() => tf.stack(changed.map(([, v]) => tf.all(tf.isFinite(v)).toInt()))) };
};

/** The first parameter a check found non-finite; disposes the check's tensor. */
export const firstNonFinite = async (check: FiniteCheck): Promise<string | undefined> => {
  try {
    const flags = await check.flags.data();
    const i = flags.findIndex((f) => f === 0);
    return i < 0 ? undefined : check.names[i];
  } finally {
    check.flags.dispose();
  }
};

export const divergenceOf = (rule: LoweredRule, step: number, parameter: string): Divergence => {
  const sp = rule.ir.span;
  return {
    step,
    rule: rule.name,
    ...(rule.ir.lossName !== undefined ? { loss: rule.ir.lossName } : {}),
    parameter,
    at: `${sp.file}:${sp.start.line}:${sp.start.column}`,
  };
};

/** A reported loss that is not finite (the loss overflowed before any parameter did). */
export const lossDivergence = (rules: readonly LoweredRule[], values: Readonly<Record<string, number>>, losses: readonly string[], step: number): Divergence | undefined => {
  const name = losses.find((n) => values[n] !== undefined && !Number.isFinite(values[n]));
  if (name === undefined) return undefined;
  const rule = rules.find((r) => r.ir.lossName === name);
  const sp = rule?.ir.span;
  return {
    step,
    rule: rule?.name ?? name,
    loss: name,
    value: String(values[name]),
    at: sp !== undefined ? `${sp.file}:${sp.start.line}:${sp.start.column}` : '',
  };
};

export const describeDivergence = (d: Divergence): string => {
  const where = `diverged at step ${d.step}${d.member !== undefined ? ` of member ${d.member}` : ''}`;
  if (d.parameter === undefined) {
    const first = d.first !== undefined ? `; the first value that is not finite: ${d.first.what} at ${d.first.at}` : '';
    return `${where}: the loss ${d.loss ?? d.rule} is ${d.value ?? 'not finite'}${d.at !== '' ? ` (its update is at ${d.at})` : ''}${first}`;
  }
  return `${where}: the update at ${d.at}${d.loss !== undefined ? ` (on loss ${d.loss})` : ''} made ${d.parameter} NaN or infinite`;
};
