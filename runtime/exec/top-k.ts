/**
 * `select best K by lowest M as NAME`: the K best sweep members' parameters are kept as members
 * finish (copies; the evicted ones disposed), and once every member has trained, the metrics that
 * read `NAME(e)` are evaluated on the average of e over them: the program's own ensemble machinery
 * (`unrollEnsemble`) over an ensemble of K whose member i holds the i-th best member's parameters.
 */
import type { IRProgram } from '../../compiler/ir.js';
import { memberPath } from '../../compiler/lower/ensemble.js';
import type { LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { tf } from '../../stdlib/tf.js';

export interface Kept {
  readonly index: number;
  readonly score: number;
  readonly params: Readonly<Record<string, tf.Tensor>>;
}

/** What the run reports of the selected members: their indices, best first, and each metric of their ensemble. */
export interface TopResult {
  readonly members: readonly number[];
  readonly values?: Readonly<Record<string, number>>;
  /** Why the ensemble's metrics were not evaluated. */
  readonly note?: string;
}

const better = (direction: 'lowest' | 'highest', a: number, b: number): boolean => (direction === 'lowest' ? a < b : a > b);

/** `kept` with the entrant among the best `k` (NaN scores never enter); its parameters copied when it does. */
export const keepBest = (
  kept: readonly Kept[],
  k: number,
  direction: 'lowest' | 'highest',
  entrant: { readonly index: number; readonly score: number; readonly params: Readonly<Record<string, tf.Tensor>> },
): Kept[] => {
  if (Number.isNaN(entrant.score)) return [...kept];
  const at = kept.findIndex((c) => better(direction, entrant.score, c.score));
  const pos = at < 0 ? kept.length : at;
  if (pos >= k) return [...kept];
  const copy: Kept = { index: entrant.index, score: entrant.score, params: Object.fromEntries(Object.entries(entrant.params).map(([p, t]) => [p, tf.clone(t)])) };
  const next = [...kept.slice(0, pos), copy, ...kept.slice(pos)];
  for (const out of next.slice(k)) Object.values(out.params).forEach((t) => t.dispose());
  return next.slice(0, k);
};

/**
 * The program whose metrics are the `after` metrics, as an ensemble of `k` over every parameter a
 * rule trains (its rules are lowered but never stepped).
 */
export const selectedEnsembleIR = (ir: IRProgram, k: number): IRProgram | undefined => {
  const sw = ir.sweep;
  const sel = sw?.select;
  if (sw === undefined || sel?.alias === undefined || sel.after === undefined || sel.after.length === 0) return undefined;
  const { sweep: _sweep, report: _report, ...rest } = ir;
  const rules = [...ir.rules, ...sw.body.rules, ...ir.phases.flatMap((p) => p.rules)];
  return { ...rest, rules: [], losses: [], metrics: sel.after, figures: [], phases: [], ensemble: { size: k, alias: sel.alias, body: { rules, losses: [], metrics: [] } } };
};

/** A fresh state of the ensemble program with member i's copies set to the i-th kept member's parameters. */
export const ensembleState = (p: LoweredProgram, kept: readonly Kept[], seed: number): RunState => {
  const s = p.init(seed);
  const params: Record<string, tf.Tensor> = { ...s.params };
  for (const path of Object.keys(params)) {
    const m = /^m(\d+)\.(.*)$/.exec(path);
    const i = m === null ? -1 : Number(m[1]);
    const own = m !== null && memberPath(i, m[2] ?? '') === path ? kept[i]?.params[m[2] ?? ''] : undefined;
    const shared = kept[0]?.params[path];
    const v = own ?? shared;
    if (v !== undefined) {
      params[path]?.dispose();
      params[path] = v;
    }
  }
  return { ...s, params };
};

