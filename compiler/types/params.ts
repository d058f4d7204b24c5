/** Free parameters (`param theta : Tensor[100] ~ normal(0, 1) on sphere`, `hyper ...`). */
import * as E from 'fp-ts/lib/Either.js';
import type { Expr, ParamDecl } from '../../dsl/ast.js';
import { error } from '../../dsl/diagnostic.js';
import type { Init } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { evalConst } from '../resolve/consts.js';
import type { Ctx, Local, ParamEntry } from './context.js';
import { constLookup } from './elaborate.js';

const nums = (ctx: Ctx, args: readonly Expr[], local: Local): number[] | undefined => {
  const out: number[] = [];
  for (const a of args) {
    const v = evalConst(a, constLookup(ctx, local));
    if (E.isLeft(v)) return void ctx.diags.push(v.left);
    if (typeof v.right !== 'number') return void ctx.diags.push(error(Codes.argType, 'expected a number', a.span));
    out.push(v.right);
  }
  return out;
};

const initOf = (ctx: Ctx, d: ParamDecl, local: Local): Init | undefined => {
  if (d.init === undefined) return { kind: 'zeros' };
  const e = d.init.expr;
  if (d.init.kind === 'Value') {
    const v = nums(ctx, [e], local);
    if (v === undefined) return undefined;
    const x = v[0] ?? 0;
    return x === 0 ? { kind: 'zeros' } : x === 1 ? { kind: 'ones' } : { kind: 'constant', value: x };
  }
  if (e.kind === 'Call' && e.callee.kind === 'Name' && (e.callee.name === 'normal' || e.callee.name === 'uniform')) {
    const v = nums(ctx, e.args.map((a) => a.value), local);
    if (v === undefined) return undefined;
    const [a, b] = v;
    if (v.length !== 2 || a === undefined || b === undefined) {
      ctx.diags.push(error(Codes.argType, `${e.callee.name} takes two numbers`, e.span));
      return undefined;
    }
    return e.callee.name === 'normal' ? { kind: 'normal', mean: a, std: b } : { kind: 'uniform', low: a, high: b };
  }
  ctx.diags.push(error(Codes.wrongKind, "after '~' comes a distribution: normal(mean, std) or uniform(low, high)", e.span));
  return undefined;
};

export const declareParam = (ctx: Ctx, d: ParamDecl, path: string, local: Local): void => {
  const shape: number[] = [];
  if (d.type.kind === 'TensorType') {
    for (const dim of d.type.dims) {
      if (dim.kind === 'Fixed') shape.push(dim.size);
      else {
        const v = constLookup(ctx, local)(dim.name);
        if (E.isRight(v) && typeof v.right === 'number' && Number.isInteger(v.right)) shape.push(v.right);
        else {
          ctx.diags.push(error(Codes.unknownDim, `dimension '${dim.name}' of a parameter must be a number or an integer 'let'`, dim.span));
          return;
        }
      }
    }
  }
  const init = initOf(ctx, d, local);
  if (init === undefined) return;
  const entry: ParamEntry = { path, shape, init, role: 'other', onSphere: d.onSphere, frozen: d.frozen, hyper: d.hyper, span: d.name.span };
  ctx.params.set(path, entry);
};
