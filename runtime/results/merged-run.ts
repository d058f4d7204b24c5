/** What a merged run folder's manifest takes from its parts, whatever the run's kind: when and how long it ran, by which command. */
import type { Manifest } from './manifest.js';

type RunFields = Required<Pick<Manifest, 'command' | 'started' | 'ended' | 'outcome' | 'stepsRun' | 'seconds' | 'phases'>>;

/** The parts' times and steps added up, started at the earliest part's start, under one phase named `phase`. */
export const mergedRunFields = (parts: readonly { readonly manifest: Manifest }[], argv: readonly string[], phase: string, first: Manifest): RunFields => {
  const sum = (f: (m: Manifest) => number | undefined): number => parts.reduce((a, p) => a + (f(p.manifest) ?? 0), 0);
  const seconds = sum((m) => m.seconds);
  return {
    command: [...argv],
    started: parts.map((p) => p.manifest.started).sort()[0] ?? first.started,
    ended: new Date().toISOString(),
    outcome: 'completed',
    stepsRun: sum((m) => m.stepsRun),
    seconds,
    phases: [{ name: phase, seconds }],
  };
};
