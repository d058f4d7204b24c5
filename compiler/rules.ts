/** `update` declarations: loss, optimizer, schedule, batch and geometry elaborated; targets later. */
import { isSweepArithmetic } from './sweep-arith.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Expr, UpdateDecl } from '../dsl/ast.js';
import { error } from '../dsl/diagnostic.js';
import type { Span } from '../dsl/span.js';
import { suggest } from '../dsl/suggest.js';
import { Codes } from './codes.js';
import { throughMethod } from './through.js';
import { children, type ThroughMethod, type IRDuration, type IRExpr, type IRGeometry, type IROptimizer, type IRSchedule } from './ir.js';
import { evalConst } from './resolve/consts.js';
import { bindConstArgs } from './resolve/args.js';
import type { Container } from './resolve/imports.js';
import type { Ctx, Local } from './types/context.js';
import { asTensor, constLookup, elab, elabRef, lookupGlobal, unknownName } from './types/elaborate.js';
import { namingFor } from './types/stages.js';

export interface RuleDraft {
  readonly decl: UpdateDecl;
  readonly name: string;
  readonly container: Container;
  readonly lossName?: string;
  readonly loss: IRExpr;
  readonly optimizer: IROptimizer;
  readonly schedule: IRSchedule;
  readonly scheduleSpans: { every?: Span; from?: Span; until?: Span };
  readonly geometry: IRGeometry;
  readonly allowReg: boolean;
  readonly batch?: number;
  readonly through?: { readonly lossName: string; readonly loss: IRExpr; readonly method: ThroughMethod; readonly span: Span };
  readonly throughCount: number;
}

const duration = (d: { amount: { value: number }; unit: 'steps' | 'epochs' }): IRDuration => ({ n: d.amount.value, unit: d.unit });

export const localFor = (name: string, body: Expr, ctx: Ctx, container: Container, ns: string): Local => ({
  vars: new Map(),
  ns,
  prefix: name,
  names: namingFor(ctx, body, ns, false),
  declName: name,
  container,
});

const elabOptimizer = (ctx: Ctx, e: Expr, local: Local): RuleDraft['optimizer'] | undefined => {
  const head = e.kind === 'Name' ? { name: e.name, args: [], span: e.span } : e.kind === 'Call' && e.callee.kind === 'Name' ? { name: e.callee.name, args: e.args, span: e.callee.span } : undefined;
  if (head === undefined) return void ctx.diags.push(error(Codes.wrongKind, 'an optimizer is a name or a call, e.g. adam(lr: 1e-3)', e.span));
  const entry = ctx.registry.entries.get(head.name);
  if (entry === undefined) {
    const opts = [...ctx.registry.entries.values()].filter((x) => x.kind === 'optimizer').map((x) => x.name);
    const hint = suggest(head.name, opts);
    return void ctx.diags.push(error(Codes.unknownName, `unknown optimizer '${head.name}'`, head.span, hint !== undefined ? `did you mean '${hint}'?` : opts.length > 0 ? `optimizers: ${opts.join(', ')}` : undefined));
  }
  if (entry.kind !== 'optimizer') return void ctx.diags.push(error(Codes.wrongKind, `'${head.name}' is a ${entry.kind}, not an optimizer`, head.span));
  // A named option that reads a sweep variable is kept as an expression and bound per member.
  const lookup = constLookup(ctx, local);
  const sweepOptions: Record<string, IRExpr> = {};
  const constArgs = head.args.filter((a) => {
    const spec = entry.options.find((s) => s.name === a.name?.name);
    // Only numeric options can follow a sweep variable; a bool or string one stays a constant (E0209/E0207).
    if (a.name === undefined || spec === undefined || (spec.type !== 'number' && spec.type !== 'int') || E.isRight(evalConst(a.value, lookup))) return true;
    const diags = ctx.diags.length;
    const v = elab(ctx, a.value, local);
    const ir = v === null ? null : asTensor(ctx, v);
    ctx.diags.length = diags;
    if (ir === null || !mentionsSweep(ir)) return true;
    if (!isSweepArithmetic(ir))
      ctx.diags.push(
        error(
          Codes.sweepNotArithmetic,
          `option '${spec.name}' of ${head.name} reads a sweep variable through more than arithmetic: each member needs one number here`,
          a.value.span,
          `combine the sweep variable with numbers by + - * / ^ only, e.g. ${spec.name}: 2 * lam`,
        ),
      );
    sweepOptions[spec.name] = ir;
    return false;
  });
  const options = bindConstArgs(`optimizer '${head.name}'`, entry.options, constArgs, lookup, e.span, ctx.diags, new Set(Object.keys(sweepOptions)));
  return Object.keys(sweepOptions).length > 0 ? { name: head.name, options, sweepOptions } : { name: head.name, options };
};

const mentionsSweep = (e: IRExpr): boolean => e.kind === 'sweepVar' || children(e).some(mentionsSweep);

export const elabRule = (ctx: Ctx, decl: UpdateDecl, name: string, container: Container, ns: string): RuleDraft | undefined => {
  const local = localFor(name, decl.loss, ctx, container, ns);
  let loss: IRExpr | null = null;
  let lossName: string | undefined;
  if (decl.loss.kind === 'Name') {
    const g = lookupGlobal(ctx, ns, decl.loss.name);
    if (g?.global.kind === 'metric') {
      ctx.diags.push(
        error(Codes.metricAsLoss, `'${decl.loss.name}' is a metric: metrics are observed, never optimized`, decl.loss.span, `declare it as 'loss ${decl.loss.name} = ...' to optimize it`),
      );
      return undefined;
    }
    if (g?.global.kind === 'loss') {
      lossName = decl.loss.name;
      loss = elabRef(ctx, g, decl.loss.name, decl.loss.span, local);
    } else if (g === undefined && !ctx.registry.entries.has(decl.loss.name)) {
      unknownName(ctx, local, decl.loss.name, decl.loss.span);
      return undefined;
    }
  }
  if (lossName === undefined) {
    const v = elab(ctx, decl.loss, local);
    loss = v === null ? null : asTensor(ctx, v);
  }
  const optimizer = elabOptimizer(ctx, decl.optimizer, local);
  let every: IRDuration = { n: 1, unit: 'steps' };
  let from: IRDuration | undefined;
  let until: IRDuration | undefined;
  const scheduleSpans: RuleDraft['scheduleSpans'] = {};
  let geometry: IRGeometry = { kind: 'none' };
  let allowReg = false;
  let batch: number | undefined;
  let through: RuleDraft['through'];
  let throughCount = 0;
  for (const c of decl.clauses) {
    switch (c.kind) {
      case 'Every':
        every = duration(c.every);
        scheduleSpans.every = c.span;
        break;
      case 'From':
        from = duration(c.at);
        scheduleSpans.from = c.span;
        break;
      case 'Until':
        until = duration(c.at);
        scheduleSpans.until = c.span;
        break;
      case 'Batch':
        batch = c.size.value;
        break;
      case 'Through': {
        throughCount++;
        const g = lookupGlobal(ctx, ns, c.loss.name);
        if (g?.global.kind !== 'loss') {
          ctx.diags.push(error(Codes.badThrough, `'through ${c.loss.name}': '${c.loss.name}' is not a loss`, c.loss.span, 'name the loss that the inner parameters are fitted on, e.g. through fit'));
          break;
        }
        const inner = elabRef(ctx, g, c.loss.name, c.loss.span, localFor(`${name}.through`, decl.loss, ctx, container, ns));
        const method = throughMethod(c.loss.name, c.options ?? [], c.steps, c.span, constLookup(ctx, local), ctx.diags);
        if (inner !== null && method !== undefined) through = { lossName: c.loss.name, loss: inner, method, span: c.span };
        break;
      }
      case 'Allow':
        if (c.what.name === 'reg') allowReg = true;
        else ctx.diags.push(error(Codes.unknownName, `'allow ${c.what.name}' means nothing: only 'allow reg' exists`, c.what.span));
        break;
      case 'Along':
      case 'OrthogonalTo': {
        const d = c.direction;
        if (d.kind !== 'Call' || d.callee.kind !== 'Name' || d.callee.name !== 'grad' || d.args.length !== 1 || d.args[0] === undefined) {
          ctx.diags.push(error(Codes.wrongKind, 'a direction is written grad(e): the gradient of e with respect to the updated parameters', d.span));
          break;
        }
        const dv = elab(ctx, d.args[0].value, localFor(`${name}.direction`, d, ctx, container, ns));
        if (dv !== null) geometry = { kind: c.kind === 'Along' ? 'along' : 'orthogonal', direction: asTensor(ctx, dv) };
        break;
      }
    }
  }
  if (loss === null || optimizer === undefined) return undefined;
  const schedule: IRSchedule = { every, ...(from !== undefined ? { from } : {}), ...(until !== undefined ? { until } : {}) };
  return {
    decl,
    name,
    container,
    ...(lossName !== undefined ? { lossName } : {}),
    loss,
    optimizer,
    schedule,
    scheduleSpans,
    geometry,
    allowReg,
    ...(batch !== undefined ? { batch } : {}),
    ...(through !== undefined ? { through } : {}),
    throughCount,
  };
};

/** Every split an expression ranges over, through inlined losses and metrics too. */
export const splitsOf = (e: IRExpr, out: Set<string> = new Set()): Set<string> => {
  if (e.kind === 'over') out.add(e.split);
  for (const c of children(e)) splitsOf(c, out);
  return out;
};

/** The `over` nodes of an expression on a given split (for locating diagnostics). */
export const oversOn = (e: IRExpr, split: string): IRExpr[] => {
  const here = e.kind === 'over' && e.split === split ? [e] : [];
  return [...here, ...children(e).flatMap((c) => oversOn(c, split))];
};
