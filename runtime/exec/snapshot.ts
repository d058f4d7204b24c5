/** Everything a run needs to continue exactly where it stopped: what a checkpoint holds. */
import type { MemberState, SweepFields } from './member.js';
import type { ExploitEvent } from './pbt.js';

/** `seeds`: the program (one model or an unrolled ensemble) trained once per seed of a list (runtime/seeds.ts). */
export type Mode = 'single' | 'sweep' | 'ensemble' | 'population' | 'seeds';

export interface FinishedMember extends SweepFields {
  readonly index: number;
  readonly seed: number;
  /** The last reported value of each report item. */
  readonly final: Readonly<Record<string, number>>;
  /**
   * The best reported value of each item whose direction the program states: a loss (lowest), a
   * sweep's `select` metric and a population's `exploit` metric (as written); others have none.
   */
  readonly best: Readonly<Record<string, number>>;
}

export interface Snapshot {
  readonly mode: Mode;
  readonly total: number;
  /** Members being trained now (one in sequential modes, all of a population). */
  readonly live: readonly MemberState[];
  /** Sequential modes: members already trained, in order. */
  readonly finished: readonly FinishedMember[];
  /** Last and best values seen so far of the live members (so a resumed summary is complete). */
  readonly liveStats: Readonly<Record<number, { readonly final: Record<string, number>; readonly best: Record<string, number> }>>;
  /** metrics.jsonl records written so far (a resumed run drops any written after the checkpoint). */
  readonly records: number;
  /** Population: the last step at which exploit/explore ran. */
  readonly exploitedAt: number;
  /** Population: every exploit so far, in order. */
  readonly exploits?: readonly ExploitEvent[];
}
