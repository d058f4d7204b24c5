/**
 * `--resume D` continues a run as it was started: options that would change where it writes or how
 * long it runs are refused in one line rather than silently ignored.
 */
import * as path from 'node:path';
import type { Manifest } from '../results/manifest.js';

export interface ResumeAsked {
  readonly out?: string;
  readonly steps?: number;
  readonly epochs?: number;
  readonly evalLimit?: number;
  readonly force?: boolean;
  readonly seeds?: readonly number[];
}

/** The conflicting options as one sentence, or undefined when there are none. */
export const resumeConflicts = (o: ResumeAsked, dir: string, previous: Manifest | undefined): string | undefined => {
  const bad: string[] = [];
  if (o.out !== undefined && path.resolve(o.out) !== path.resolve(dir)) bad.push(`--out ${o.out} (a resumed run writes into ${dir})`);
  if (o.steps !== undefined && o.steps !== previous?.totalSteps) bad.push(`--steps ${o.steps} (the run has ${previous?.totalSteps ?? 'another number of'} steps)`);
  // A growing split's epochs are shorter before its growth point, so the length in epochs is the
  // manifest's own; folders written before it was recorded had uniform epochs.
  const epochs = previous === undefined ? undefined : (previous.totalEpochs ?? previous.totalSteps / previous.stepsPerEpoch);
  if (o.epochs !== undefined && (epochs === undefined || Math.abs(o.epochs - epochs) > 1e-9)) {
    bad.push(`--epochs ${o.epochs} (the run has ${previous !== undefined && epochs !== undefined ? `${previous.totalSteps} steps, ${+epochs.toFixed(3)} epochs` : 'another length'})`);
  }
  if (o.evalLimit !== undefined && o.evalLimit !== previous?.evalLimit) {
    bad.push(`--eval-limit ${o.evalLimit} (the run ${previous?.evalLimit !== undefined ? `used ${previous.evalLimit}` : 'evaluated whole splits'})`);
  }
  if (o.force === true) bad.push('--force (resuming replaces nothing)');
  if (o.seeds !== undefined && JSON.stringify(o.seeds) !== JSON.stringify(previous?.seeds)) {
    bad.push(`--seeds ${o.seeds.join(',')} (the run ${previous?.seeds !== undefined ? `has seeds ${previous.seeds.join(',')}` : 'has no seed list'})`);
  }
  if (bad.length === 0) return undefined;
  return `--resume ${dir} continues the run as it was started; these options would change it: ${bad.join(', ')}. Drop them, or start a new run with --out`;
};
