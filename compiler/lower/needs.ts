/** Which batches an expression reads: one entry per (data, split), from its `over`s and fields. */
import { children, type IRExpr } from '../ir.js';
import type { BatchNeed } from './types.js';

/**
 * `fallback` is the batch of an `over` that sets none (the rule's `batch`, else the run's);
 * `'all'` evaluates every split whole (metrics, reports). Two sizes for one split in one
 * expression cannot both be served by one batch per split: the larger is asked for.
 */
export const needsOf = (exprs: readonly IRExpr[], fallback: number | 'all'): BatchNeed[] => {
  const found = new Map<string, BatchNeed>();
  const add = (data: string, split: string, batch: number | 'all'): void => {
    const k = `${data}.${split}`;
    const prev = found.get(k);
    if (prev === undefined) found.set(k, { data, split, batch });
    else if (prev.batch !== 'all' && (batch === 'all' || batch > prev.batch)) found.set(k, { data, split, batch });
  };
  const walk = (e: IRExpr, batch: number | 'all'): void => {
    if (e.kind === 'over') {
      const b: number | 'all' = fallback === 'all' ? 'all' : e.batch > 0 ? e.batch : fallback;
      add(e.data, e.split, b);
      walk(e.body, b);
      return;
    }
    if (e.kind === 'field') add(e.data, e.split, batch);
    for (const c of children(e)) walk(c, batch);
  };
  for (const e of exprs) walk(e, fallback);
  return [...found.values()];
};
