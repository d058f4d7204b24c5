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

/** Added after the first table: the two baselines that needed new layers. */
export const MORE_BASELINES: readonly Row[] = [
  { label: 'random erasing p 0.5', program: 'random_erasing', set: {} },
  { label: 'spectral normalization (all layers)', program: 'spectral_norm', set: {} },
];

export const SRN_ONLINE: readonly Row[] = [
  { label: 'SRN online, paper reading (softplus, running z)', program: 'srn_online', set: {} },
  { label: 'SRN online, signed head', program: 'srn_online', set: SIGNED },
  { label: 'SRN online, signed head, z frozen after 100', program: 'srn_online', set: SIGNED_FROZEN },
];

/** The φ rule through Θ' itself (`through inner for 1 step`, second order): srn_online_exact.xreg. */
export const SRN_EXACT: readonly Row[] = [
  { label: "SRN online, exact Θ' gradient, paper reading", program: 'srn_online_exact', set: {} },
  { label: "SRN online, exact Θ' gradient, signed head, z frozen after 100", program: 'srn_online_exact', set: SIGNED_FROZEN },
];

/** The rows whose programs report λ_max over training (the curvature claim: SRN against weight decay). */
export const CURVATURE: readonly Row[] = [
  { label: 'plain (CE only)', program: 'plain', set: {} },
  { label: 'weight decay 5e-4', program: 'weight_decay', set: {} },
  { label: 'SRN online, paper reading (softplus, running z)', program: 'srn_online', set: {} },
  { label: 'SRN online, signed head, z frozen after 100', program: 'srn_online', set: SIGNED_FROZEN },
  { label: "SRN online, exact Θ' gradient, paper reading", program: 'srn_online_exact', set: {} },
];

export const SRN_TWO_PHASE: readonly Row[] = [
  { label: 'SRN two-phase, paper reading', program: 'srn_two_phase', set: {} },
  { label: 'SRN two-phase, signed head, z frozen after 5 rounds', program: 'srn_two_phase', set: { head: 'signed', z_freeze: 5 } },
];

export const GROUPS: Readonly<Record<string, readonly Row[]>> = {
  baselines: BASELINES,
  more_baselines: MORE_BASELINES,
  online: SRN_ONLINE,
  exact: SRN_EXACT,
  // the exact rows' second half alone, for a second process beside `curvature` (which runs the first)
  exact_signed_frozen: SRN_EXACT.slice(1),
  online_signed: SRN_ONLINE.slice(1, 2),
  two_phase: SRN_TWO_PHASE,
  curvature: CURVATURE,
};

export const SEEDS = [0, 1, 2] as const;

/** A row's run folder under the output root. */
export const runDir = (root: string, r: Row, seed: number): string =>
  `${root}/${r.program}${Object.entries(r.set)
    .map(([k, v]) => `-${k}=${String(v)}`)
    .join('')}-s${seed}`;
