/**
 * Population Based Training's exploit/explore step (Jaderberg et al. 2017): truncation selection,
 * then a random perturbation of the copied hyper-parameters, clamped to the program's bounds.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RunState } from '../../compiler/lower/types.js';
import { makeRng, mixSeeds } from '../../stdlib/data/random.js';
import type * as t from 'io-ts';
import type { ExploitC } from '../checkpoint/format.js';
import type { MemberState } from './member.js';
import { cloneState, disposeState } from './state.js';

export interface PbtOptions {
  /** Fraction of the population replaced (truncation(0.25): the bottom quarter copies the top quarter). */
  readonly fraction: number;
  /** Explore factors, one drawn uniformly per hyper-parameter (perturb(0.8, 1.2)). */
  readonly factors: readonly number[];
  /** Bounds of a perturbed value (`perturb(..., min: a, max: b)`), in the parameter's own scale. */
  readonly min?: number;
  readonly max?: number;
  readonly hyper: readonly string[];
  /** The program's `by highest` / `by lowest`: never guessed from the metric's name. */
  readonly direction: 'lowest' | 'highest';
  /** Seed of this exploit round (run seed and step), so a resumed run makes the same choices. */
  readonly seed: number;
}

/**
 * Perturbs a hyper-parameter by `factor`; a log-scale one (`log_sigma`) has its exponentiated
 * value scaled, so that perturb(0.8, 1.2) means σ · 0.8 or σ · 1.2 as in PBT. Then clamped.
 */
const perturb = (path: string, t: tf.Tensor, factor: number, o: PbtOptions): tf.Tensor => {
  const leaf = path.split('.').pop() ?? path;
  return tf.tidy(() => {
    const moved = leaf.startsWith('log_') ? tf.add(t, Math.log(factor)) : tf.mul(t, factor);
    return tf.clipByValue(moved, o.min ?? -Infinity, o.max ?? Infinity);
  });
};

/**
 * One member's copy at an exploit: the step, the member copied (`from`, one of the best) and the
 * one replaced (`to`), both scores, and each hyper-parameter of `to` before and after the copy and
 * perturbation. Its shape is the checkpoint's (`ExploitC`), so it is saved and written as is.
 */
export type ExploitEvent = t.TypeOf<typeof ExploitC>;

export interface ExploitResult {
  readonly members: readonly MemberState[];
  readonly events: readonly ExploitEvent[];
}

const values = (t: tf.Tensor | undefined): number[] => (t === undefined ? [] : Array.from(t.dataSync()));

/** One copy an exploit decides: member position `to` takes `from`'s state, each hyper-parameter times its factor. */
export interface PlannedCopy {
  readonly to: number;
  readonly from: number;
  readonly factors: Readonly<Record<string, number>>;
}

/**
 * The decisions of an exploit from the scores alone (NaN last): each of the bottom k copies a random
 * top-k member, with one explore factor drawn per hyper-parameter in `hyper` (those the members
 * have). Scores alone, so that members on different machines that see the same scores decide alike.
 */
export const planExploit = (scores: readonly number[], hyper: readonly string[], o: PbtOptions): PlannedCopy[] => {
  const n = scores.length;
  const k = Math.min(Math.floor(n / 2), Math.max(1, Math.floor(o.fraction * n)));
  if (n < 2 || k < 1) return [];
  const key = (i: number): number => {
    const s = scores[i] ?? NaN;
    return Number.isNaN(s) ? -Infinity : o.direction === 'highest' ? s : -s;
  };
  const order = scores.map((_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
  const top = order.slice(0, k);
  const rng = makeRng(mixSeeds(o.seed, 0x9b7));
  return order.slice(n - k).map((to) => {
    const from = top[rng.int(top.length)] as number;
    const factors: Record<string, number> = {};
    for (const h of hyper) factors[h] = o.factors.length === 0 ? 1 : (o.factors[rng.int(o.factors.length)] as number);
    return { to, from, factors };
  });
};

/** `target` replaced by a copy of `from` (its step kept) with the planned hyper-parameters perturbed; `target`'s state is disposed. */
export const adoptCopy = (
  target: MemberState,
  from: { readonly index: number; readonly state: RunState },
  c: PlannedCopy,
  scores: { readonly from: number; readonly to: number },
  o: PbtOptions,
): { member: MemberState; event: ExploitEvent } => {
  const copy = cloneState(from.state);
  const params: Record<string, tf.Tensor> = { ...copy.params };
  const hyper: Record<string, { old: number[]; new: number[] }> = {};
  for (const [h, f] of Object.entries(c.factors)) {
    const p = params[h];
    if (p === undefined) continue;
    params[h] = perturb(h, p, f, o);
    p.dispose();
    hyper[h] = { old: values(target.state.params[h]), new: values(params[h]) };
  }
  const state: RunState = { ...copy, step: target.state.step, params };
  const event: ExploitEvent = { step: target.state.step, from: from.index, to: target.index, scores, hyper };
  disposeState(target.state);
  return { member: { ...target, state }, event };
};

/** Ranks by `scores` (NaN last); each of the bottom k copies a random top-k member and explores. */
export const exploitExplore = (members: readonly MemberState[], scores: readonly number[], o: PbtOptions): ExploitResult => {
  const present = o.hyper.filter((h) => members[0]?.state.params[h] !== undefined);
  const out = [...members];
  const events: ExploitEvent[] = [];
  for (const c of planExploit(scores, present, o)) {
    const r = adoptCopy(members[c.to] as MemberState, members[c.from] as MemberState, c, { from: scores[c.from] ?? NaN, to: scores[c.to] ?? NaN }, o);
    out[c.to] = r.member;
    events.push(r.event);
  }
  return { members: out, events };
};
