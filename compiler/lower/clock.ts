/**
 * The run's clock: how many steps each epoch has. An epoch is one pass over the examples of the
 * main training split *in use*: a split that grows (`train: 0.7 grow from 0.2 until epoch 10`) has
 * short epochs before epoch 10 (a pass over its first 20%) and full ones from epoch 10 on, so
 * `every 2 epochs`, `for 5 epochs`, `until epoch 12` and `run 20 epochs` count passes over the data
 * the model is actually trained on. Every other run has one epoch length, and its arithmetic is the
 * plain `n · steps per epoch` (kept exactly, fractional epochs included).
 */
import type { IRDuration } from '../ir.js';

export interface EpochSpan {
  /** How many epochs have this length (the last span runs forever: Infinity). */
  readonly epochs: number;
  readonly spe: number;
}

export interface Clock {
  /** Epoch lengths in order, at least one span. */
  readonly spans: readonly EpochSpan[];
}

export const uniformClock = (spe: number): Clock => ({ spans: [{ epochs: Number.POSITIVE_INFINITY, spe: Math.max(1, spe) }] });

/** `early.epochs` epochs of `early.spe` steps, then epochs of `spe` steps (a split that grows once). */
export const growingClock = (early: EpochSpan, spe: number): Clock =>
  early.epochs <= 0 || early.spe === spe ? uniformClock(spe) : { spans: [{ epochs: early.epochs, spe: Math.max(1, early.spe) }, { epochs: Number.POSITIVE_INFINITY, spe: Math.max(1, spe) }] };

/** The one epoch length of a clock that has one, else undefined. */
export const uniformSpe = (c: Clock): number | undefined => (c.spans.length === 1 ? c.spans[0]?.spe : undefined);

/** The epoch length a clock ends with (the full split's: what a run's manifest reports). */
export const finalSpe = (c: Clock): number => c.spans.at(-1)?.spe ?? 1;

/** The epoch position of `step`: e + (steps into epoch e) / (its length); 2.5 is halfway through epoch 2. */
export const epochCoord = (c: Clock, step: number): number => {
  let e = 0;
  let s = 0;
  for (const span of c.spans) {
    const steps = span.epochs * span.spe;
    if (step < s + steps) return e + (step - s) / span.spe;
    e += span.epochs;
    s += steps;
  }
  return e;
};

/** The (0-based) epoch that `step` belongs to. */
export const epochAt = (c: Clock, step: number): number => {
  const spe = uniformSpe(c);
  return spe !== undefined ? Math.floor(step / spe) : Math.floor(epochCoord(c, step) + 1e-9);
};

/** The first step at or after epoch position `x` (epoch k begins at `stepAtEpoch(c, k)`). */
export const stepAtEpoch = (c: Clock, x: number): number => {
  let e = 0;
  let s = 0;
  for (const span of c.spans) {
    if (x < e + span.epochs) return s + Math.max(0, Math.ceil((x - e) * span.spe - 1e-9));
    e += span.epochs;
    s += span.epochs * span.spe;
  }
  return s;
};

/**
 * The step `d` after `origin` (a phase's start, or 0): `d` steps later, or `d` epochs later on the
 * epoch scale. On a one-length clock this is origin + n · spe, unrounded as it always was.
 */
export const stepAfter = (c: Clock, origin: number, d: IRDuration): number => {
  if (d.unit === 'steps') return origin + d.n;
  const spe = uniformSpe(c);
  return spe !== undefined ? origin + d.n * spe : stepAtEpoch(c, epochCoord(c, origin) + d.n);
};

/** Whether a period of `every` epochs counted from `base` (a step) has a point at `step`. */
export const onEpochGrid = (c: Clock, base: number, every: number, step: number): boolean => {
  if (step < base || every <= 0) return step === base;
  const b = epochCoord(c, base);
  const j = Math.floor((epochCoord(c, step) - b) / every + 1e-9);
  // j is the last point at or before `step`'s position; the step fires when that point falls in it.
  return stepAtEpoch(c, b + j * every) === step;
};
