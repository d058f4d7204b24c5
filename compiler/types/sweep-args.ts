/**
 * Constant arguments that read a sweep variable (`dropout(rate: r)`, `noise(init: log_s)`,
 * `label_smoothing(eps: 2 * e)`): the call is elaborated with the first member's value (so shapes
 * and types are checked once), and the argument is also kept as an expression over sweep variables
 * that each member evaluates (`compiler/lower/bind-sweep.ts`). Only arithmetic on numbers may
 * stand there: a value known before the member trains.
 */
import type { Argument, Expr } from '../../dsl/ast.js';
import { error } from '../../dsl/diagnostic.js';
import { Codes } from '../codes.js';
import type { IRExpr } from '../ir.js';
import * as E from 'fp-ts/lib/Either.js';
import { evalSweepNumber, isSweepArithmetic, type SweepValues } from '../sweep-arith.js';
import type { Ctx, Local } from './context.js';
import { asTensor, elab, lookupGlobal } from './elaborate.js';

const namesIn = (e: Expr): string[] => {
  switch (e.kind) {
    case 'Name':
      return [e.name];
    case 'Unary':
      return namesIn(e.operand);
    case 'Binary':
      return [...namesIn(e.left), ...namesIn(e.right)];
    case 'List':
      return e.items.flatMap(namesIn);
    case 'Call':
      return e.args.flatMap((a) => namesIn(a.value));
    default:
      return [];
  }
};

/** Whether `e` names a sweep variable, or a user layer's argument that reads one. */
export const readsSweep = (ctx: Ctx, local: Local, e: Expr): boolean =>
  namesIn(e).some((n) => {
    const v = local.vars.get(n);
    if (v !== undefined) return v.kind === 'const' && v.sweep !== undefined;
    return lookupGlobal(ctx, local.ns, n)?.global.kind === 'sweepVar';
  });

/**
 * The expression each member evaluates for `e`, or null (reported: E0226) when it is more than
 * arithmetic on numbers and sweep variables.
 */
export const sweepExpr = (ctx: Ctx, local: Local, e: Expr, what: string): IRExpr | null => {
  const v = elab(ctx, e, local);
  if (v === null) return null;
  const ir = asTensor(ctx, v);
  if (isSweepArithmetic(ir)) return ir;
  ctx.diags.push(
    error(
      Codes.sweepNotArithmetic,
      `${what} reads a sweep variable through more than arithmetic: each member needs one number here`,
      e.span,
      'combine the sweep variable with numbers by + - * / ^ only, e.g. rate: r / 2',
    ),
  );
  return null;
};

/** The arguments of a call, those that read a sweep variable set apart (see `sweepArgs`). */
export interface SweptArgs {
  /** The arguments with each swept one replaced by its first member's value: what is type- and shape-checked. */
  readonly args: readonly Argument[];
  /** Spec name → the expression each member evaluates; undefined when no argument reads a sweep variable. */
  readonly sweep?: Readonly<Record<string, IRExpr>>;
}

/**
 * The arguments among `args` (bound to `specs` by name, else by position) that read a sweep
 * variable, as expressions; in `args` they stand as the first member's numbers, so that the call
 * is checked once as that member (later members are bound and checked by `bindSweepMember`).
 */
export const sweepArgs = (ctx: Ctx, local: Local, specs: readonly { readonly name: string }[], args: readonly Argument[], what: string): SweptArgs => {
  const out: Record<string, IRExpr> = {};
  const first: SweepValues = Object.fromEntries([...ctx.sweeps].flatMap(([k, vs]) => (vs[0] === undefined ? [] : [[k, vs[0]]])));
  let pos = 0;
  const rewritten = args.map((a): Argument => {
    const spec = a.name !== undefined ? specs.find((s) => s.name === a.name?.name) : specs[pos++];
    if (spec === undefined || !readsSweep(ctx, local, a.value)) return a;
    const ir = sweepExpr(ctx, local, a.value, `argument '${spec.name}' of ${what}`);
    // Reported already (E0226): a placeholder keeps the same mistake from being reported twice.
    const v = ir === null ? E.right(0) : evalSweepNumber(ir, first);
    if (ir !== null) out[spec.name] = ir;
    const value = E.isRight(v) ? v.right : 0;
    return { ...a, value: { kind: 'Number', value, text: String(value), isInteger: Number.isInteger(value), span: a.value.span } };
  });
  return Object.keys(out).length > 0 ? { args: rewritten, sweep: out } : { args: rewritten };
};
