/**
 * Whether a checkpoint fits the program as compiled now. The program text and seed are checked by
 * the checkpoint store; `--set` overrides change shapes and values without changing the text.
 */
import type { LoweredProgram } from '../../compiler/lower/types.js';
import type { Snapshot } from './snapshot.js';
import { disposeState } from './state.js';

type Overrides = Readonly<Record<string, number | boolean | string>>;

/** The overrides that differ between a run and its resumption, as `h=4 (now 8)`; empty: none. */
export const overrideChanges = (saved: Overrides, now: Overrides): string[] =>
  [...new Set([...Object.keys(saved), ...Object.keys(now)])]
    .sort()
    .filter((k) => saved[k] !== now[k])
    .map((k) => `${k}=${saved[k] === undefined ? '(unset)' : String(saved[k])} (now ${now[k] === undefined ? 'unset' : String(now[k])})`);

/** The first parameter of the snapshot whose shape differs from a freshly initialised state's. */
export const checkSnapshotShapes = (program: LoweredProgram, snap: Snapshot, seed: number): string | undefined => {
  const fresh = program.init(seed);
  try {
    for (const m of snap.live) {
      for (const [p, t] of Object.entries(m.state.params)) {
        const want = fresh.params[p];
        if (want === undefined) return `the checkpoint holds parameter ${p}, which the program no longer has`;
        if (want.shape.join(',') !== t.shape.join(',')) {
          return `parameter ${p} has shape [${t.shape.join(', ')}] in the checkpoint but [${want.shape.join(', ')}] in the program as compiled now`;
        }
      }
      for (const p of Object.keys(fresh.params)) if (m.state.params[p] === undefined) return `the checkpoint lacks parameter ${p}`;
    }
    return undefined;
  } finally {
    disposeState(fresh);
  }
};
