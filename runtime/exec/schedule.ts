/**
 * When things happen in a run, as pure arithmetic on the step counter. Epochs are measured on the
 * run's main training split: one epoch is ceil(n_train / batch) steps, so a schedule in epochs and
 * one in steps mean the same thing whichever rule or split they belong to.
 */
import type { IRDuration, IRSchedule } from '../../compiler/ir.js';

export const stepsPerEpoch = (nTrain: number, batch: number): number => Math.max(1, Math.ceil(nTrain / Math.max(1, batch)));

/** A duration in steps. */
export const toSteps = (d: IRDuration, spe: number): number => (d.unit === 'steps' ? d.n : d.n * spe);

export const epochOf = (step: number, spe: number): number => Math.floor(step / spe);

/**
 * Whether a rule with `schedule` runs at `step` (updates applied so far, 0-based): inside
 * [from, until) and a whole number of `every` periods after `from` (after 0 when there is no from).
 */
export const fires = (schedule: IRSchedule, step: number, spe: number): boolean => {
  const from = schedule.from === undefined ? 0 : toSteps(schedule.from, spe);
  const until = schedule.until === undefined ? Infinity : toSteps(schedule.until, spe);
  const every = Math.max(1, toSteps(schedule.every, spe));
  return step >= from && step < until && (step - from) % every === 0;
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
export const totalSteps = (length: IRDuration, spe: number, override: LengthOverride = {}): number => {
  if (override.steps !== undefined) return override.steps;
  if (override.epochs !== undefined) return override.epochs * spe;
  return toSteps(length, spe);
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
export const phaseAt = (phases: readonly { readonly length?: IRDuration }[], step: number, spe: number): ActivePhase | undefined => {
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const len = phases[i]?.length;
    const isLast = i === phases.length - 1;
    if (len === undefined || isLast) return { index: i, start };
    const end = start + toSteps(len, spe);
    if (step < end) return { index: i, start };
    start = end;
  }
  return undefined;
};

/** Whether a report is due once `done` steps have been applied (every `every`, never at 0). */
export const reportDue = (every: IRDuration, done: number, spe: number): boolean =>
  done > 0 && done % Math.max(1, toSteps(every, spe)) === 0;
