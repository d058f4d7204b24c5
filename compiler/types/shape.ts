/** Shape algebra with symbolic dimensions: broadcasting, matrix products, unification. */
import type { Dim, Shape } from '../../stdlib/types.js';
import { BATCH } from '../ir.js';

export const formatShape = (s: Shape): string => `[${s.join(', ')}]`;

/** Bindings of symbolic data dimensions (`F` of a CSV) learned from the program. */
export type DimEnv = Map<string, Dim>;

export const resolveDim = (env: DimEnv, d: Dim): Dim => {
  let cur = d;
  const seen = new Set<string>();
  while (typeof cur === 'string' && env.has(cur) && !seen.has(cur)) {
    seen.add(cur);
    const next = env.get(cur);
    if (next === undefined) break;
    cur = next;
  }
  return cur;
};

export const resolveShape = (env: DimEnv, s: Shape): Dim[] => s.map((d) => resolveDim(env, d));

/**
 * Makes two dims equal if they can be: equal dims agree, a symbolic data dim (not the batch)
 * binds to the other. Returns false when they cannot meet.
 */
export const unifyDim = (env: DimEnv, a0: Dim, b0: Dim): boolean => {
  const a = resolveDim(env, a0);
  const b = resolveDim(env, b0);
  if (a === b) return true;
  if (typeof a === 'string' && a !== BATCH) {
    env.set(a, b);
    return true;
  }
  if (typeof b === 'string' && b !== BATCH) {
    env.set(b, a);
    return true;
  }
  return false;
};

/** Elementwise broadcasting, aligned on the right; a 1 stretches. */
export const broadcast = (env: DimEnv, a0: Shape, b0: Shape): Dim[] | undefined => {
  const a = resolveShape(env, a0);
  const b = resolveShape(env, b0);
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (unifyDim(env, da, db)) out.push(resolveDim(env, da));
    else return undefined;
  }
  return out;
};

/** numpy's matmul rule, restricted to the cases a program needs. */
export const matmul = (env: DimEnv, a0: Shape, b0: Shape): { shape: Dim[] } | { error: string } => {
  const a = resolveShape(env, a0);
  const b = resolveShape(env, b0);
  const cannot = (why: string) => ({ error: `cannot multiply ${formatShape(a)} by ${formatShape(b)}: ${why}` });
  if (a.length === 0 || b.length === 0) return cannot('both sides need at least one dimension (use * for scalars)');
  const ka = a[a.length - 1] as Dim;
  const kb = (b.length === 1 ? b[0] : b[b.length - 2]) as Dim;
  if (!unifyDim(env, ka, kb)) return cannot(`inner dimensions ${String(ka)} and ${String(kb)} differ`);
  if (b.length > 2) return cannot('the right side must be a vector or a matrix');
  const lead = a.slice(0, -1);
  const tail = b.length === 1 ? [] : [b[1] as Dim];
  return { shape: resolveShape(env, [...lead, ...tail]) };
};

export const isStatic = (s: readonly Dim[]): s is number[] => s.every((d) => typeof d === 'number');

export const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
