/**
 * Arithmetic over sweep variables and numbers: what a constant position may hold inside a sweep,
 * evaluated once per member (before it trains), never per step.
 */
import * as E from 'fp-ts/lib/Either.js';
import { arith } from './arith.js';
import type { IRExpr } from './ir.js';

/** One member's value of each sweep variable. */
export type SweepValues = Readonly<Record<string, number>>;

/** `lam = 0.1, lr = 0.02`: a member's values as a message names them. */
export const showMember = (sweep: SweepValues): string =>
  Object.entries(sweep)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');

/** Whether two members have the same value of every variable. */
export const sameMember = (a: SweepValues, b: SweepValues): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

export const isSweepArithmetic = (n: IRExpr): boolean => {
  switch (n.kind) {
    case 'sweepVar':
      return true;
    case 'const':
      return typeof n.value === 'number';
    case 'binary':
      return n.op !== '@' && isSweepArithmetic(n.left) && isSweepArithmetic(n.right);
    case 'neg':
    case 'reshape':
      return isSweepArithmetic(n.operand);
    default:
      return false;
  }
};

/** `e`'s value for one member; Left says why there is none. */
export const evalSweepNumber = (e: IRExpr, sweep: SweepValues): E.Either<string, number> => {
  switch (e.kind) {
    case 'const':
      return typeof e.value === 'number' ? E.right(e.value) : E.left('a list is not a number');
    case 'sweepVar': {
      const v = sweep[e.name];
      return v === undefined ? E.left(`the sweep variable '${e.name}' has no value for this member`) : E.right(v);
    }
    case 'neg':
      return E.map((v: number) => -v)(evalSweepNumber(e.operand, sweep));
    case 'reshape':
      return evalSweepNumber(e.operand, sweep);
    case 'binary': {
      const l = evalSweepNumber(e.left, sweep);
      const r = evalSweepNumber(e.right, sweep);
      if (E.isLeft(l)) return l;
      if (E.isLeft(r)) return r;
      const v = arith(e.op, l.right, r.right);
      return v === undefined ? E.left(`'${e.op}' is not arithmetic on numbers`) : E.right(v);
    }
    default:
      return E.left('only numbers and sweep variables under + - * / ^ have a value per member');
  }
};
