/**
 * The ownership convention of step functions: a new state shares unchanged tensors with the old
 * one by identity, so after a step the caller frees exactly the old tensors the new state dropped.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { RunState } from './types.js';

/** Every tensor a state holds: parameters, optimizer slots, helper states. */
export const stateTensors = (s: RunState): tf.Tensor[] => [
  ...Object.values(s.params),
  ...Object.values(s.opt).flatMap((o) => Object.values(o.slots).flat()),
  ...Object.values(s.helpers).flatMap((h) => Object.values(h)),
];

/** Disposes the tensors of `old` that `next` no longer holds; returns how many were freed. */
export const releaseOld = (old: RunState, next: RunState): number => {
  const kept = new Set<tf.Tensor>(stateTensors(next));
  let freed = 0;
  for (const t of new Set(stateTensors(old))) {
    if (!kept.has(t) && !t.isDisposed) {
      t.dispose();
      freed++;
    }
  }
  return freed;
};

/** Disposes every tensor of a state (at the end of a run). */
export const disposeState = (s: RunState): void => {
  for (const t of new Set(stateTensors(s))) if (!t.isDisposed) t.dispose();
};
