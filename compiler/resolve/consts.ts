/** Compile-time evaluation of constant expressions: literals, `let` names, arithmetic, ranges. */
import * as E from 'fp-ts/lib/Either.js';
import type { Expr } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { ConstValue } from '../../stdlib/types.js';
import { arith } from '../arith.js';
import { Codes } from '../codes.js';

/**
 * The reason given for a name whose own declaration already failed (a `let` that could not be
 * evaluated): diagnostics carrying it are follow-ons of an error already reported, and dropped.
 */
export const FOLLOW_ON = 'follows an error already reported';

/** Why a name is not a constant: a message, or a message with its own code and hint. */
export type NotConstant = string | { readonly code: string; readonly message: string; readonly hint: string };

/** How a name reads as a constant: its value, or a reason it is not one. */
export type ConstLookup = (name: string) => E.Either<NotConstant, ConstValue>;

const num = (v: ConstValue): number | undefined => (typeof v === 'number' ? v : undefined);

const range = (kind: 'logspace' | 'linspace', a: number, b: number, n: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = n === 1 ? a : a + ((b - a) * i) / (n - 1);
    out.push(kind === 'logspace' ? 10 ** t : t);
  }
  return out;
};

export const evalConst = (e: Expr, lookup: ConstLookup): E.Either<Diagnostic, ConstValue> => {
  const notConst = (what: string) =>
    E.left(error(Codes.notConstant, `${what} is not a compile-time constant`, e.span, 'constant arguments are numbers, strings, booleans, lists or `let` names'));
  switch (e.kind) {
    case 'Number':
    case 'String':
    case 'Bool':
      return E.right(e.value);
    case 'List': {
      const items: ConstValue[] = [];
      for (const it of e.items) {
        const v = evalConst(it, lookup);
        if (E.isLeft(v)) return v;
        items.push(v.right);
      }
      return E.right(items);
    }
    case 'Name': {
      const v = lookup(e.name);
      if (E.isRight(v)) return v;
      const why = v.left;
      return E.left(typeof why === 'string' ? error(Codes.notConstant, why, e.span) : error(why.code, why.message, e.span, why.hint));
    }
    case 'Unary': {
      const v = evalConst(e.operand, lookup);
      if (E.isLeft(v)) return v;
      const n = num(v.right);
      return n === undefined ? notConst('the operand') : E.right(e.op === '-' ? -n : n);
    }
    case 'Binary': {
      const l = evalConst(e.left, lookup);
      if (E.isLeft(l)) return l;
      const r = evalConst(e.right, lookup);
      if (E.isLeft(r)) return r;
      const a = num(l.right);
      const b = num(r.right);
      const v = a === undefined || b === undefined ? undefined : arith(e.op, a, b);
      return v === undefined ? notConst('this expression') : E.right(v);
    }
    case 'Call': {
      if (e.callee.kind === 'Name' && (e.callee.name === 'logspace' || e.callee.name === 'linspace')) {
        const vals: number[] = [];
        for (const a of e.args) {
          const v = evalConst(a.value, lookup);
          if (E.isLeft(v)) return v;
          const n = num(v.right);
          if (n === undefined) return notConst('a range bound');
          vals.push(n);
        }
        const [a, b, n] = vals;
        if (vals.length !== 3 || a === undefined || b === undefined || n === undefined || !Number.isInteger(n) || n < 1)
          return E.left(error(Codes.argType, `${e.callee.name} takes (start, stop, count) with a positive integer count`, e.span));
        return E.right(range(e.callee.name, a, b, n));
      }
      return notConst('a call');
    }
    default:
      return notConst('this expression');
  }
};

/** The type name of a constant, as an `ArgSpec.type`. */
export const constType = (v: ConstValue): 'int' | 'number' | 'bool' | 'string' | 'list' =>
  typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'number') : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'string' : 'list';
