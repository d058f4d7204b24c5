/** How many times a rule fires in its phase: the `total` of its learning-rate schedule. */
import type { IRDuration, IRSchedule } from '../ir.js';
import { onEpochGrid, stepAfter, uniformClock, uniformSpe, type Clock } from './clock.js';

/**
 * Steps of a duration. Epochs need the number of steps per epoch, known only once data is loaded;
 * without it an epoch-long window counts as unbounded (a cosine schedule then stays at its base).
 */
export const durationSteps = (d: IRDuration, stepsPerEpoch: number | undefined): number =>
  d.unit === 'steps' ? d.n : stepsPerEpoch === undefined ? Number.POSITIVE_INFINITY : d.n * stepsPerEpoch;

/** Firings at steps from, from + every, … below min(until, length); at least 1 so schedules stay finite. */
export const firings = (s: IRSchedule, length: IRDuration, clock: Clock | number | undefined): number => {
  const c = typeof clock === 'number' ? uniformClock(clock) : clock;
  const spe = c === undefined ? undefined : uniformSpe(c);
  if (c === undefined || spe !== undefined) {
    const start = s.from === undefined ? 0 : durationSteps(s.from, spe);
    const end = Math.min(s.until === undefined ? Number.POSITIVE_INFINITY : durationSteps(s.until, spe), durationSteps(length, spe));
    const every = Math.max(1, durationSteps(s.every, spe));
    if (!Number.isFinite(end)) return Number.POSITIVE_INFINITY;
    if (!Number.isFinite(start) || !Number.isFinite(every)) return 1;
    return Math.max(1, Math.ceil((end - start) / every));
  }
  // Epochs of different lengths (a growing split): count the firings themselves.
  const start = s.from === undefined ? 0 : stepAfter(c, 0, s.from);
  const end = Math.min(s.until === undefined ? Number.POSITIVE_INFINITY : stepAfter(c, 0, s.until), stepAfter(c, 0, length));
  if (s.every.unit === 'steps') return Math.max(1, Math.ceil((end - start) / Math.max(1, s.every.n)));
  let n = 0;
  for (let step = start; step < end; step++) if (onEpochGrid(c, start, s.every.n, step)) n++;
  return Math.max(1, n);
};
