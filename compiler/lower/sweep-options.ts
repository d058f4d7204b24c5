/**
 * Optimizer options that read a sweep variable (`prox_sgd(l1: 2 * lam)`), bound to one member's
 * values. The compiler admits only constants and sweep variables under arithmetic here, so this is
 * plain number arithmetic, no tensors.
 */
import * as E from 'fp-ts/lib/Either.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { ConstArgs } from '../../stdlib/types.js';
import { arith } from '../arith.js';
import type { IRExpr, IROptimizer } from '../ir.js';
import { LowerCodes } from './codes.js';
import type { SweepValues } from './eval.js';

const evalNumber = (e: IRExpr, sweep: SweepValues): E.Either<string, number> => {
  switch (e.kind) {
    case 'const':
      return typeof e.value === 'number' ? E.right(e.value) : E.left('a list is not a number');
    case 'sweepVar': {
      const v = sweep[e.name];
      return v === undefined ? E.left(`sweep variable '${e.name}' has no value`) : E.right(v);
    }
    case 'neg':
      return E.map((v: number) => -v)(evalNumber(e.operand, sweep));
    case 'reshape':
      return evalNumber(e.operand, sweep);
    case 'binary': {
      const l = evalNumber(e.left, sweep);
      const r = evalNumber(e.right, sweep);
      if (E.isLeft(l)) return l;
      if (E.isLeft(r)) return r;
      const v = arith(e.op, l.right, r.right);
      return v === undefined ? E.left(`'${e.op}' is not arithmetic on numbers`) : E.right(v);
    }
    default:
      return E.left(`a ${e.kind} expression is not a number known per member`);
  }
};

/** The optimizer's options with its sweep-dependent ones evaluated for this member. */
export const bindSweepOptions = (opt: IROptimizer, sweep: SweepValues, rule: string, span: IRExpr['span']): E.Either<Diagnostic[], ConstArgs> => {
  const out: Record<string, ConstArgs[string]> = { ...opt.options };
  for (const [name, e] of Object.entries(opt.sweepOptions ?? {})) {
    const v = evalNumber(e, sweep);
    if (E.isLeft(v)) return E.left([error(LowerCodes.noSweepValue, `lowering: rule ${rule}: option ${name} of ${opt.name}: ${v.left}`, span, 'lower each sweep member with options.sweep = { name: value }')]);
    out[name] = v.right;
  }
  return E.right(out);
};
