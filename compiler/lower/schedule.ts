/** How many times a rule fires in its phase: the `total` of its learning-rate schedule. */
import type { IRDuration, IRSchedule } from '../ir.js';

/**
 * Steps of a duration. Epochs need the number of steps per epoch, known only once data is loaded;
 * without it an epoch-long window counts as unbounded (a cosine schedule then stays at its base).
 */
export const durationSteps = (d: IRDuration, stepsPerEpoch: number | undefined): number =>
  d.unit === 'steps' ? d.n : stepsPerEpoch === undefined ? Number.POSITIVE_INFINITY : d.n * stepsPerEpoch;

/** Firings at steps from, from + every, … below min(until, length); at least 1 so schedules stay finite. */
export const firings = (s: IRSchedule, length: IRDuration, stepsPerEpoch: number | undefined): number => {
  const start = s.from === undefined ? 0 : durationSteps(s.from, stepsPerEpoch);
  const end = Math.min(s.until === undefined ? Number.POSITIVE_INFINITY : durationSteps(s.until, stepsPerEpoch), durationSteps(length, stepsPerEpoch));
  const every = Math.max(1, durationSteps(s.every, stepsPerEpoch));
  if (!Number.isFinite(end)) return Number.POSITIVE_INFINITY;
  if (!Number.isFinite(start) || !Number.isFinite(every)) return 1;
  return Math.max(1, Math.ceil((end - start) / every));
};
