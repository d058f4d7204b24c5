/**
 * When things happen in a run, as pure arithmetic on the step counter. Epochs are measured on the
 * run's main training split: one epoch is one pass over the examples of it in use,
 * ceil(n_in_use / batch) steps, so a schedule in epochs and one in steps mean the same thing
 * whichever rule or split they belong to. A split that grows changes the epoch's length at its
 * growth point (compiler/lower/clock.ts); every other run has one length.
 */
import type { IRDuration, IRSchedule } from '../../compiler/ir.js';
import { epochAt, growingClock, onEpochGrid, stepAfter, uniformClock, uniformSpe, type Clock } from '../../compiler/lower/clock.js';
import { growthSize, type Growth } from '../data/growth.js';

export type { Clock } from '../../compiler/lower/clock.js';
/** A clock, or the one epoch length of a run whose split does not grow. */
export type Timing = Clock | number;
const clockOf = (t: Timing): Clock => (typeof t === 'number' ? uniformClock(t) : t);

export const stepsPerEpoch = (nTrain: number, batch: number): number => Math.max(1, Math.ceil(nTrain / Math.max(1, batch)));

/**
 * The clock of a run whose main training split has `n` examples and maybe grows: epochs before the
 * growth point are passes over the part in use (`until epoch K` counts those short epochs).
 */
export const runClock = (n: number, batch: number, growth: Growth | undefined): Clock =>
  growth === undefined
    ? uniformClock(stepsPerEpoch(n, batch))
    : growingClock({ epochs: growth.untilEpoch, spe: stepsPerEpoch(growthSize(n, growth, 0), batch) }, stepsPerEpoch(n, batch));

/** A duration in steps (from step 0). */
export const toSteps = (d: IRDuration, t: Timing): number => stepAfter(clockOf(t), 0, d);

export const epochOf = (step: number, t: Timing): number => epochAt(clockOf(t), step);

/**
 * Whether a rule with `schedule` runs at `step` (updates applied so far, 0-based): inside
 * [from, until) and a whole number of `every` periods after `from` (after 0 when there is no from).
 * `origin` is where the schedule's clock starts (a phase's first step).
 */
export const fires = (schedule: IRSchedule, step: number, t: Timing, origin = 0): boolean => {
  const c = clockOf(t);
  const from = schedule.from === undefined ? origin : stepAfter(c, origin, schedule.from);
  const until = schedule.until === undefined ? Infinity : stepAfter(c, origin, schedule.until);
  if (step < from || step >= until) return false;
  const spe = uniformSpe(c);
  if (schedule.every.unit === 'steps' || spe !== undefined) return (step - from) % Math.max(1, stepAfter(c, 0, schedule.every)) === 0;
  return onEpochGrid(c, from, schedule.every.n, step);
};

/** The first step after `step` at which `every` (counted from 0) fires, or `limit` when none comes before it. */
export const nextFiring = (every: IRDuration, step: number, t: Timing, limit: number): number => {
  const c = clockOf(t);
  if (every.unit === 'steps' || uniformSpe(c) !== undefined) {
    const interval = Math.max(1, stepAfter(c, 0, every));
    return Math.min(limit, (Math.floor(step / interval) + 1) * interval);
  }
  for (let s = step + 1; s < limit; s++) if (onEpochGrid(c, 0, every.n, s)) return s;
  return limit;
};

export interface LengthOverride {
  readonly steps?: number;
  readonly epochs?: number;
}

/**
 * The longest run xreg starts: 10^9 steps (members times steps, for a sweep or population). A
 * longer one is a typo or an overflow (`--steps 1e20` would run for millions of years); refused
 * before any work instead of training with an absurd ETA.
 */
export const MAX_STEPS = 1_000_000_000;

/** Total steps of the run: the override when given, else the program's `run` length. */
export const totalSteps = (length: IRDuration, t: Timing, override: LengthOverride = {}): number => {
  if (override.steps !== undefined) return override.steps;
  if (override.epochs !== undefined) return toSteps({ n: override.epochs, unit: 'epochs' }, t);
  return toSteps(length, t);
};

export interface ActivePhase {
  readonly index: number;
  /** The global step at which the phase began (its rules' schedules count from there). */
  readonly start: number;
}

/**
 * The phase running at `step`: phases follow each other, each for its length; one without a length
 * (or the last) runs to the end of the run. Undefined when there are no phases.
 */
export const phaseAt = (phases: readonly { readonly length?: IRDuration }[], step: number, t: Timing): ActivePhase | undefined => {
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const len = phases[i]?.length;
    const isLast = i === phases.length - 1;
    if (len === undefined || isLast) return { index: i, start };
    const end = stepAfter(clockOf(t), start, len);
    if (step < end) return { index: i, start };
    start = end;
  }
  return undefined;
};

/** Whether a report is due once `done` steps have been applied (every `every`, never at 0). */
export const reportDue = (every: IRDuration, done: number, t: Timing): boolean => done > 0 && fires({ every }, done, t);
