/**
 * Optimizer options that read a sweep variable (`prox_sgd(l1: 2 * lam)`), bound to one member's
 * values. The compiler admits only constants and sweep variables under arithmetic here, so this is
 * plain number arithmetic, no tensors.
 */
import * as E from 'fp-ts/lib/Either.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { ConstArgs } from '../../stdlib/types.js';
import { evalSweepNumber } from '../sweep-arith.js';
import type { IRExpr, IROptimizer } from '../ir.js';
import { LowerCodes, NO_SWEEP_VALUE_HINT } from './codes.js';
import type { SweepValues } from '../sweep-arith.js';

/** The optimizer's options with its sweep-dependent ones evaluated for this member. */
export const bindSweepOptions = (opt: IROptimizer, sweep: SweepValues, rule: string, span: IRExpr['span']): E.Either<Diagnostic[], ConstArgs> => {
  const out: Record<string, ConstArgs[string]> = { ...opt.options };
  for (const [name, e] of Object.entries(opt.sweepOptions ?? {})) {
    const v = evalSweepNumber(e, sweep);
    if (E.isLeft(v)) return E.left([error(LowerCodes.noSweepValue, `rule ${rule}: option '${name}' of ${opt.name} has no value: ${v.left}`, span, NO_SWEEP_VALUE_HINT)]);
    out[name] = v.right;
  }
  return E.right(out);
};
