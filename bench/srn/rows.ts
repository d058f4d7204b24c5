/**
 * The rows of docs/results-srn.md's comparison: every program shares the digits split, the 64-64
 * MLP, SGD momentum 0.9 with a cosine schedule (lr 0.05), batch 64 and 60 training epochs.
 * `set` holds the named choices of the SRN programs (their defaults are the paper's reading).
 */
import type { SetValue } from '../../runtime/run.js';

export interface Row {
  readonly label: string;
  readonly program: string;
  readonly set: Readonly<Record<string, SetValue>>;
}

/** The fixes measured: a signed head, and z-scores frozen after the first 100 values. */
export const SIGNED = { head: 'signed' } as const;
export const SIGNED_FROZEN = { head: 'signed', z_freeze: 100 } as const;

export const BASELINES: readonly Row[] = [
  { label: 'plain (CE only)', program: 'plain', set: {} },
  { label: 'weight decay 5e-4', program: 'weight_decay', set: {} },
  { label: 'dropout 0.3', program: 'dropout', set: {} },
  { label: 'label smoothing 0.1', program: 'label_smoothing', set: {} },
  { label: 'mixup α 0.2', program: 'mixup', set: {} },
  { label: 'confidence penalty 0.1', program: 'confidence_penalty', set: {} },
  { label: 'LogitNorm τ 0.04', program: 'logit_norm', set: {} },
  { label: 'R-Drop α 1', program: 'r_drop', set: {} },
];

export const SRN_ONLINE: readonly Row[] = [
  { label: 'SRN online, paper reading (softplus, running z)', program: 'srn_online', set: {} },
  { label: 'SRN online, signed head', program: 'srn_online', set: SIGNED },
  { label: 'SRN online, signed head, z frozen after 100', program: 'srn_online', set: SIGNED_FROZEN },
];

export const SRN_TWO_PHASE: readonly Row[] = [
  { label: 'SRN two-phase, paper reading', program: 'srn_two_phase', set: {} },
  { label: 'SRN two-phase, signed head, z frozen after 5 rounds', program: 'srn_two_phase', set: { head: 'signed', z_freeze: 5 } },
];

export const GROUPS: Readonly<Record<string, readonly Row[]>> = {
  baselines: BASELINES,
  online: SRN_ONLINE,
  two_phase: SRN_TWO_PHASE,
};

export const SEEDS = [0, 1, 2] as const;

/** A row's run folder under the output root. */
export const runDir = (root: string, r: Row, seed: number): string =>
  `${root}/${r.program}${Object.entries(r.set)
    .map(([k, v]) => `-${k}=${String(v)}`)
    .join('')}-s${seed}`;
