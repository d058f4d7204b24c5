/**
 * Pipeline stages (`|> dense(10)`, `|> block(512)`, `|> relu`, `|> net`) and the stable names of
 * layer instances: within one scope body, a layer call is named by its kind, suffixed 1..n only
 * when that kind occurs more than once in the body.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Argument, Expr } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import type { LayerDef } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { BATCH, type IRExpr } from '../ir.js';
import { bindConstArgs } from '../resolve/args.js';
import { evalConst } from '../resolve/consts.js';
import { kindWords, type GlobalEntry } from '../resolve/scope.js';
import type { Ctx, Local, LocalVar } from './context.js';
import { applyModel, callFn, callStateful, constLookup, expanding, inlineFn, lookupGlobal, unknownName } from './elaborate.js';
import { formatShape, isStatic, resolveShape } from './shape.js';
import { readsSweep, sweepArgs, sweepExpr } from './sweep-args.js';

const push = (ctx: Ctx, d: Diagnostic): null => {
  ctx.diags.push(d);
  return null;
};

const stageHead = (s: Expr): { name: string; args: readonly Argument[] } | undefined => {
  if (s.kind === 'Name') return { name: s.name, args: [] };
  if (s.kind === 'Call' && s.callee.kind === 'Name') return { name: s.callee.name, args: s.args };
  return undefined;
};

const isLayerKind = (ctx: Ctx, ns: string, name: string): boolean => {
  const g = lookupGlobal(ctx, ns, name);
  if (g !== undefined) return g.global.kind === 'layer';
  return ctx.registry.entries.get(name)?.kind === 'layer';
};

/**
 * Instance names of the layer calls in `body` (a model, layer, loss or fn body). In a layer body
 * every stage of a top-level pipe is a layer call; elsewhere the first stage is a value.
 */
export const namingFor = (ctx: Ctx, body: Expr, ns: string, layerBody: boolean): Map<Expr, string> => {
  const cached = ctx.naming.get(body);
  if (cached !== undefined) return cached;
  const stages: { node: Expr; kind: string }[] = [];
  const visitStage = (s: Expr): void => {
    const h = stageHead(s);
    if (h !== undefined && isLayerKind(ctx, ns, h.name)) stages.push({ node: s, kind: h.name });
    else walk(s);
  };
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'Pipe':
        e.stages.forEach((s, i) => (i === 0 ? walk(s) : visitStage(s)));
        break;
      case 'Call':
        e.args.forEach((a) => walk(a.value));
        break;
      case 'Unary':
        walk(e.operand);
        break;
      case 'Binary':
        walk(e.left);
        walk(e.right);
        break;
      case 'Over':
      case 'Mean':
      case 'Deterministic':
        walk(e.body);
        break;
      default:
        break;
    }
  };
  if (layerBody) {
    if (body.kind === 'Pipe') body.stages.forEach(visitStage);
    else visitStage(body);
  } else walk(body);
  const counts = new Map<string, number>();
  for (const s of stages) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  const seen = new Map<string, number>();
  const names = new Map<Expr, string>();
  for (const s of stages) {
    const k = (seen.get(s.kind) ?? 0) + 1;
    seen.set(s.kind, k);
    names.set(s.node, (counts.get(s.kind) ?? 0) > 1 ? `${s.kind}${k}` : s.kind);
  }
  ctx.naming.set(body, names);
  return names;
};

const join = (prefix: string, name: string): string => (prefix === '' ? name : `${prefix}.${name}`);

/** Applies one stage to the value flowing through the pipe. */
export const applyStage = (ctx: Ctx, stage: Expr, input: IRExpr, local: Local): IRExpr | null => {
  const h = stageHead(stage);
  if (h === undefined)
    return push(ctx, error(Codes.wrongKind, 'a pipeline stage must be a layer, a model or a function', stage.span, 'for example `|> dense(10)` or `|> relu`'));
  const instance = local.names.get(stage) ?? h.name;
  const g = lookupGlobal(ctx, local.ns, h.name);
  if (g !== undefined) {
    switch (g.global.kind) {
      case 'layer':
        return applyLayerDecl(ctx, g, h.args, input, join(local.prefix, instance), stage.span, local);
      case 'model':
        if (h.args.length > 0) return push(ctx, error(Codes.tooManyArgs, `model '${h.name}' takes its input from the pipe`, stage.span));
        return applyModel(ctx, g, input, local, stage.span);
      case 'fn':
        return inlineFn(ctx, g, h.args, input, stage.span, local);
      default:
        return push(ctx, error(Codes.wrongKind, `'${h.name}' is a ${kindWords(g.global.kind)}, not a layer`, stage.span));
    }
  }
  const entry = ctx.registry.entries.get(h.name);
  if (entry === undefined) return unknownName(ctx, local, h.name, stage.kind === 'Call' ? stage.callee.span : stage.span);
  switch (entry.kind) {
    case 'layer':
      return applyLayerDef(ctx, entry, h.args, input, join(local.prefix, instance), stage.span, local);
    case 'fn':
      if (entry.tensorArgs.length === 0) return push(ctx, error(Codes.wrongKind, `'${h.name}' takes no tensor, so it cannot be a stage`, stage.span));
      return callFn(ctx, entry, input, h.args, stage.span, local);
    case 'stateful':
      return callStateful(ctx, entry, input, h.args, stage.span, local);
    default:
      return push(ctx, error(Codes.wrongKind, `'${h.name}' is a ${entry.kind}, not a layer`, stage.span));
  }
};

const applyLayerDecl = (
  ctx: Ctx,
  g: GlobalEntry,
  args: readonly Argument[],
  input: IRExpr,
  prefix: string,
  span: Span,
  local: Local,
): IRExpr | null => {
  if (g.global.kind !== 'layer') return null;
  const decl = g.global.decl;
  if (args.length > decl.params.length)
    return push(ctx, error(Codes.tooManyArgs, `layer '${decl.name.name}' takes ${decl.params.length} argument${decl.params.length === 1 ? '' : 's'}`, span));
  const vars = new Map<string, LocalVar>();
  let pos = 0;
  for (const a of args) {
    const pname = a.name?.name ?? decl.params[pos++]?.name;
    if (pname === undefined || !decl.params.some((p) => p.name === pname))
      return push(ctx, error(Codes.unknownArg, `layer '${decl.name.name}' has no argument '${pname ?? ''}'`, a.span));
    const v = evalConst(a.value, constLookup(ctx, local, true));
    if (E.isLeft(v)) return push(ctx, v.left);
    const sweep = readsSweep(ctx, local, a.value) ? sweepExpr(ctx, local, a.value, `argument '${pname}' of layer '${decl.name.name}'`) : undefined;
    if (sweep === null) return null;
    vars.set(pname, { kind: 'const', value: v.right, ...(sweep === undefined ? {} : { sweep }) });
  }
  const missing = decl.params.filter((p) => !vars.has(p.name));
  if (missing.length > 0)
    return push(ctx, error(Codes.missingArg, `layer '${decl.name.name}' needs ${missing.map((m) => `'${m.name}'`).join(', ')}`, span));
  const inner: Local = { ...local, vars, ns: g.ns, prefix, names: namingFor(ctx, decl.body, g.ns, true) };
  const stages = decl.body.kind === 'Pipe' ? decl.body.stages : [decl.body];
  return expanding(ctx, 'layer', decl.name.name, span, () => {
    let cur: IRExpr = input;
    for (const s of stages) {
      const next = applyStage(ctx, s, cur, inner);
      if (next === null) return null;
      cur = next;
    }
    return cur;
  });
};

const applyLayerDef = (
  ctx: Ctx,
  def: LayerDef,
  args: readonly Argument[],
  input: IRExpr,
  prefix: string,
  span: Span,
  local: Local,
): IRExpr | null => {
  const before = ctx.diags.length;
  const bound = sweepArgs(ctx, local, def.args, args, `layer '${def.name}'`);
  const swept = bound.sweep;
  const options = bindConstArgs(`layer '${def.name}'`, def.args, bound.args, constLookup(ctx, local), span, ctx.diags);
  if (ctx.diags.length > before) return null;
  const full = resolveShape(ctx.dims, input.shape);
  const batched = full[0] === BATCH;
  const per = batched ? full.slice(1) : full;
  if (!isStatic(per))
    return push(
      ctx,
      error(
        Codes.unknownDim,
        `the input of '${def.name}' has shape ${formatShape(full)}, whose size is not known before the data is loaded`,
        span,
        'give the loader its width (csv(..., features: 10)) or use the input in a product with a declared parameter first',
      ),
    );
  const inferred = def.infer(per, options);
  if (E.isLeft(inferred)) {
    const src = input.kind === 'reshape' ? input.operand : input;
    const from = src.kind === 'layer' ? `the ${src.layer} before it` : src.kind === 'call' ? `${src.fn} before it` : src.kind === 'field' ? `the data field '${src.field}'` : 'its input';
    return push(
      ctx,
      error(Codes.inferFailed, `${def.name} on input ${formatShape(full)}: ${inferred.left}`, span, `${formatShape(full)} comes from ${from}; reshape(shape: [...]) or flatten changes a shape between stages`),
    );
  }
  const paramPaths: Record<string, string> = {};
  for (const p of inferred.right.params) {
    const path = `${prefix}.${p.name}`;
    paramPaths[p.name] = path;
    const prev = ctx.params.get(path);
    if (prev !== undefined && prev.shape.join(',') !== p.shape.join(',')) {
      ctx.diags.push({
        ...error(Codes.sharedShape, `parameter '${path}' is shared, but this use needs shape ${formatShape(p.shape)} and an earlier one ${formatShape(prev.shape)}`, span),
        related: [{ span: prev.span, message: 'first created here' }],
      });
      return null;
    }
    if (prev === undefined)
      ctx.params.set(path, { path, shape: p.shape, init: p.init, role: p.role, onSphere: false, frozen: false, hyper: false, span });
  }
  const x: IRExpr = batched ? input : { kind: 'reshape', operand: input, shape: [1, ...per], span: input.span };
  const out: IRExpr = {
    kind: 'layer',
    layer: def.name,
    input: x,
    params: paramPaths,
    args: options,
    ...(swept === undefined ? {} : { sweep: { args: swept, inShape: per.map(Number) } }),
    stochastic: def.stochastic,
    shape: [batched ? BATCH : 1, ...inferred.right.outShape],
    span,
  };
  return batched ? out : { kind: 'reshape', operand: out, shape: inferred.right.outShape, span };
};
