/**
 * Population Based Training's exploit/explore step (Jaderberg et al. 2017): truncation selection,
 * then a random perturbation of the copied hyper-parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RunState } from '../../compiler/lower/types.js';
import { makeRng, mixSeeds } from '../../stdlib/data/random.js';
import type { MemberState } from './member.js';
import { cloneState, disposeState } from './state.js';

export interface PbtOptions {
  /** Fraction of the population replaced (truncation(0.25): the bottom quarter copies the top quarter). */
  readonly fraction: number;
  /** Explore factors, one drawn uniformly per hyper-parameter (perturb(0.8, 1.2)). */
  readonly factors: readonly number[];
  readonly hyper: readonly string[];
  readonly higherIsBetter: boolean;
  /** Seed of this exploit round (run seed and step), so a resumed run makes the same choices. */
  readonly seed: number;
}

/** The metric a population is ranked by is better high unless its name says it is a loss or an error. */
export const higherIsBetter = (name: string | undefined): boolean =>
  name === undefined || !/loss|mse|nll|err|ece|fit|gen|risk|cost/i.test(name);

/**
 * Perturbs a hyper-parameter by `factor`; a log-scale one (`log_sigma`) has its exponentiated
 * value scaled, so that perturb(0.8, 1.2) means σ · 0.8 or σ · 1.2 as in PBT.
 */
const perturb = (path: string, t: tf.Tensor, factor: number): tf.Tensor => {
  const leaf = path.split('.').pop() ?? path;
  return tf.tidy(() => (leaf.startsWith('log_') ? tf.add(t, Math.log(factor)) : tf.mul(t, factor)));
};

export interface ExploitResult {
  readonly members: readonly MemberState[];
  /** bottom member index → the top member it copied. */
  readonly copied: Readonly<Record<number, number>>;
}

/** Ranks by `scores` (NaN last); each of the bottom k copies a random top-k member and explores. */
export const exploitExplore = (members: readonly MemberState[], scores: readonly number[], o: PbtOptions): ExploitResult => {
  const n = members.length;
  const k = Math.min(Math.floor(n / 2), Math.max(1, Math.floor(o.fraction * n)));
  if (n < 2 || k < 1) return { members, copied: {} };
  const key = (i: number): number => {
    const s = scores[i] ?? NaN;
    return Number.isNaN(s) ? -Infinity : o.higherIsBetter ? s : -s;
  };
  const order = members.map((_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
  const top = order.slice(0, k);
  const bottom = order.slice(n - k);
  const rng = makeRng(mixSeeds(o.seed, 0x9b7));
  const out = [...members];
  const copied: Record<number, number> = {};
  for (const b of bottom) {
    const src = top[rng.int(top.length)] as number;
    const from = members[src] as MemberState;
    const target = members[b] as MemberState;
    const copy = cloneState(from.state);
    const params: Record<string, tf.Tensor> = { ...copy.params };
    for (const h of o.hyper) {
      const p = params[h];
      if (p === undefined) continue;
      const f = o.factors.length === 0 ? 1 : (o.factors[rng.int(o.factors.length)] as number);
      params[h] = perturb(h, p, f);
      p.dispose();
    }
    const state: RunState = { ...copy, step: target.state.step, params };
    disposeState(target.state);
    out[b] = { ...target, state };
    copied[target.index] = from.index;
  }
  return { members: out, copied };
};
