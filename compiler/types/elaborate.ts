/**
 * Elaboration: AST expressions to shaped IR. Names resolve through the local scope, then the
 * program's declarations, then the registry; user functions, models, losses and metrics are
 * inlined; layer calls create parameters at stable hierarchical paths.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Argument, CallExpr, Expr } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { suggest } from '../../dsl/suggest.js';
import type { FnDef, Shape, StatefulFnDef } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { BATCH, type IRExpr } from '../ir.js';
import { bindConstArgs } from '../resolve/args.js';
import type { ConstLookup, NotConstant } from '../resolve/consts.js';
import { sweepVariables } from '../resolve/imports.js';
import { evalConst, FOLLOW_ON } from '../resolve/consts.js';
import { kindWords, languageForms, type GlobalEntry } from '../resolve/scope.js';
import { overlay } from '../partitions/param-table.js';
import { dotted, roleSelectors, selectParams } from '../partitions/selectors.js';
import type { Ctx, Local, LocalVar, Val } from './context.js';
import { isParamSet } from './context.js';
import { broadcast, formatShape, matmul, resolveShape } from './shape.js';
import { applyStage, namingFor } from './stages.js';
import { elabLambdaMax } from './lambda-max.js';
import { sweepArgs } from './sweep-args.js';

export const lookupGlobal = (ctx: Ctx, ns: string, name: string): GlobalEntry | undefined =>
  (ns !== '' ? ctx.globals.get(`${ns}.${name}`) : undefined) ?? ctx.globals.get(name);

/** A sweep variable where one number must hold for every member (a list's length, `mean[K]`, a split). */
const sweepFixed = (name: string): NotConstant => ({
  code: Codes.sweepFixed,
  message: `'${name}' is a sweep variable: its value changes from member to member, but this must be one number for the whole run`,
  hint: 'a sweep variable may set a layer argument, a function option, an optimizer option or a value in an expression; write a number here, or a `let` (`--set` changes it per run)',
});

/** A sweep variable outside every sweep that declares it. */
export const sweepOutside = (name: string): NotConstant => ({
  code: Codes.unknownName,
  message: `'${name}' is a sweep variable: it exists only inside its sweep's body`,
  hint: `move this declaration into the body of 'sweep ${name} in ...', or write a number or a \`let\` here`,
});

/**
 * Constants by name. `perMember`: the caller keeps, beside the value, the expression each sweep
 * member evaluates (`sweepArgs`), so a sweep variable reads as its first member's value;
 * elsewhere a sweep variable is refused (E0225) rather than silently fixed at one value.
 */
export const constLookup =
  (ctx: Ctx, local: Local, perMember = false): ConstLookup =>
  (name) => {
    const v = local.vars.get(name);
    if (v?.kind === 'const') return v.sweep !== undefined && !perMember ? E.left(sweepFixed(name)) : E.right(v.value);
    if (v !== undefined) return E.left(`'${name}' is a tensor, not a constant`);
    const g = lookupGlobal(ctx, local.ns, name);
    if (g?.global.kind === 'let') {
      return g.global.value === undefined ? E.left(FOLLOW_ON) : E.right(g.global.value);
    }
    if (g?.global.kind === 'sweepVar') {
      if (!sweepVariables(local.container).includes(name)) return E.left(sweepOutside(name));
      const first = ctx.sweeps.get(name)?.[0];
      if (first === undefined) return E.left(FOLLOW_ON);
      return perMember ? E.right(first) : E.left(sweepFixed(name));
    }
    if (g !== undefined) return E.left(`'${name}' is a ${kindWords(g.global.kind)}, not a constant`);
    return E.left(`unknown constant '${name}'`);
  };

/** Names researchers use for the held-out split that this language calls `reg`. */
const splitSynonyms = ['val', 'valid', 'validation', 'dev', 'holdout', 'heldout'];

const push = (ctx: Ctx, d: Diagnostic): null => {
  ctx.diags.push(d);
  return null;
};

/** Every name that could have been meant at this point, most local first. */
const candidates = (ctx: Ctx, local: Local): string[] => [
  ...local.vars.keys(),
  ...ctx.globals.keys(),
  ...ctx.registry.entries.keys(),
  ...languageForms,
];

export const unknownName = (ctx: Ctx, local: Local, name: string, span: Span): null => {
  const hint = suggest(name, candidates(ctx, local));
  return push(ctx, error(Codes.unknownName, `unknown name '${name}'`, span, hint === undefined ? undefined : `did you mean '${hint}'?`));
};

export const constNode = (value: number | readonly number[], span: Span): IRExpr => ({
  kind: 'const',
  value,
  shape: typeof value === 'number' ? [] : [value.length],
  span,
});

/** A tensor from a value: parameter sets become their flattened concatenation. */
export const asTensor = (ctx: Ctx, v: Val): IRExpr => {
  if (!isParamSet(v)) return v;
  const total = v.paths.reduce((n, p) => n + (ctx.params.get(p) ?? ctx.known.get(p))!.shape.reduce((a, b) => a * b, 1), 0);
  return { kind: 'flatParams', paths: v.paths, shape: [total], span: v.span };
};

const fromLocal = (v: LocalVar, span: Span): Val | null => {
  switch (v.kind) {
    case 'tensor':
      return v.expr;
    case 'params':
      return { kind: 'paramSet', paths: v.paths, span };
    case 'const':
      if (v.sweep !== undefined) return v.sweep;
      if (typeof v.value === 'number') return constNode(v.value, span);
      return null;
  }
};

/** The paths of a model's (or path prefix's) parameters, by the selectors' rules. */
const selectorVal = (ctx: Ctx, local: Local, e: Expr): Val | null => {
  const paths = selectParams(e, { lookup: (n) => lookupGlobal(ctx, local.ns, n), params: overlay(ctx.known, ctx.params), diags: ctx.diags });
  if (paths === undefined) return null;
  return { kind: 'paramSet', paths, span: e.span };
};

export const elab = (ctx: Ctx, e: Expr, local: Local): Val | null => {
  switch (e.kind) {
    case 'Number':
      return constNode(e.value, e.span);
    case 'String':
    case 'Bool':
      return push(ctx, error(Codes.wrongKind, `a ${e.kind === 'String' ? 'string' : 'boolean'} is not a tensor`, e.span));
    case 'List': {
      const vals: number[] = [];
      for (const it of e.items) {
        const v = evalConst(it, constLookup(ctx, local));
        if (E.isLeft(v)) return push(ctx, v.left);
        if (typeof v.right !== 'number') return push(ctx, error(Codes.wrongKind, 'a tensor literal holds numbers', it.span));
        vals.push(v.right);
      }
      return constNode(vals, e.span);
    }
    case 'Name':
      return elabName(ctx, e.name, e.span, local);
    case 'Member': {
      const name = dotted(e);
      if (name !== undefined && lookupGlobal(ctx, local.ns, name) !== undefined) return elabName(ctx, name, e.span, local);
      if (name !== undefined) {
        const p = ctx.params.get(name) ?? ctx.known.get(name);
        if (p !== undefined) return { kind: 'param', path: name, shape: p.shape, span: e.span };
        return selectorVal(ctx, local, e);
      }
      return push(ctx, error(Codes.wrongKind, 'records have no fields here', e.span));
    }
    case 'Unary': {
      const v = elab(ctx, e.operand, local);
      if (v === null) return null;
      const t = asTensor(ctx, v);
      return e.op === '+' ? t : { kind: 'neg', operand: t, shape: t.shape, span: e.span };
    }
    case 'Binary':
      return elabBinary(ctx, e.op, e.left, e.right, e.span, local);
    case 'Pipe': {
      const [first, ...rest] = e.stages;
      if (first === undefined) return null;
      const v0 = elab(ctx, first, local);
      if (v0 === null) return null;
      let cur: IRExpr = asTensor(ctx, v0);
      for (const s of rest) {
        const next = applyStage(ctx, s, cur, local);
        if (next === null) return null;
        cur = next;
      }
      return cur;
    }
    case 'Over': {
      const name = e.split.name;
      const info = ctx.splits.get(name);
      if (info === undefined) {
        const names = [...ctx.splits.keys()];
        const hint = suggest(name, names) ?? (splitSynonyms.includes(name.toLowerCase()) && names.includes('reg') ? 'reg' : undefined);
        return push(
          ctx,
          error(
            Codes.unknownSplit,
            `split '${name}' does not exist${hint !== undefined ? `; did you mean '${hint}'?` : ''}`,
            e.split.span,
            names.length > 0 ? `the splits are ${names.join(', ')}` : 'declare one with `split DATA { train: 0.8, reg: 0.2 }`',
          ),
        );
      }
      const body = elab(ctx, e.body, { ...local, split: { data: info.data, split: name } });
      if (body === null) return null;
      const t = asTensor(ctx, body);
      return { kind: 'over', data: info.data, split: name, batch: e.batch?.value ?? 0, body: t, shape: t.shape, span: e.span };
    }
    case 'Mean': {
      const k = evalConst(e.samples, constLookup(ctx, local));
      if (E.isLeft(k)) return push(ctx, k.left);
      if (typeof k.right !== 'number' || !Number.isInteger(k.right) || k.right < 1)
        return push(
          ctx,
          error(
            Codes.argType,
            `mean[K] needs a positive integer K, the number of random draws averaged; got ${JSON.stringify(k.right)}`,
            e.samples.span,
            'mean[1] e is a single draw; for the noise-free value write deterministic e',
          ),
        );
      const body = elab(ctx, e.body, local);
      if (body === null) return null;
      const t = asTensor(ctx, body);
      return { kind: 'mean', samples: k.right, body: t, shape: t.shape, span: e.span };
    }
    case 'Deterministic': {
      const body = elab(ctx, e.body, local);
      if (body === null) return null;
      const t = asTensor(ctx, body);
      return { kind: 'deterministic', body: t, shape: t.shape, span: e.span };
    }
    case 'Call':
      return elabCall(ctx, e, local);
    case 'ErrorExpr':
      return null;
  }
};

const elabName = (ctx: Ctx, name: string, span: Span, local: Local): Val | null => {
  const lv = local.vars.get(name);
  if (lv !== undefined) {
    const v = fromLocal(lv, span);
    return v ?? push(ctx, error(Codes.wrongKind, `'${name}' is a constant ${typeof (lv.kind === 'const' ? lv.value : 0)}, not a tensor`, span));
  }
  const g = lookupGlobal(ctx, local.ns, name);
  if (g === undefined) {
    // data fields are names only inside an expression that ranges over a split
    if (local.split !== undefined) {
      const schema = ctx.schemas.get(local.split.data);
      const f = schema?.[name];
      if (f !== undefined)
        return { kind: 'field', data: local.split.data, split: local.split.split, field: name, shape: [BATCH, ...f.shape], span };
    } else if ([...ctx.schemas.values()].some((s) => s[name] !== undefined)) {
      return push(
        ctx,
        error(Codes.fieldOutsideOver, `'${name}' is a data field: it exists only inside an expression that ranges over a split`, span, `add 'over train' (or another split) to the expression`),
      );
    }
    if (ctx.registry.entries.has(name))
      return push(ctx, error(Codes.wrongKind, `'${name}' is a ${ctx.registry.entries.get(name)!.kind} of the standard library; call it`, span));
    return unknownName(ctx, local, name, span);
  }
  const gl = g.global;
  switch (gl.kind) {
    case 'let':
      if (typeof gl.value === 'number') return constNode(gl.value, span);
      return push(ctx, error(Codes.wrongKind, `'${name}' is not a number`, span));
    case 'param': {
      const path = g.ns === '' ? name : `${g.ns}.${gl.decl.name.name}`;
      const p = ctx.params.get(path);
      return p === undefined ? null : { kind: 'param', path, shape: p.shape, span };
    }
    case 'loss':
    case 'metric':
      return elabRef(ctx, g, name, span, local);
    case 'partition':
      return selectorVal(ctx, local, { kind: 'Name', name, span });
    case 'sweepVar': {
      if (sweepVariables(local.container).includes(name)) return { kind: 'sweepVar', name, shape: [], span };
      const why = sweepOutside(name);
      return push(ctx, typeof why === 'string' ? error(Codes.unknownName, why, span) : error(why.code, why.message, span, why.hint));
    }
    default:
      return push(ctx, error(Codes.wrongKind, `'${name}' is a ${kindWords(gl.kind)}; ${gl.kind === 'data' ? 'use its fields x, y inside `over`' : 'call it'}`, span));
  }
};

/**
 * The block a definition's body is read in: its own when it is declared inside one (a model in a
 * sweep reads the sweep variable wherever it is applied, a top-level report included), else the
 * block of its use.
 */
const bodyContainer = (g: GlobalEntry, local: Local): Local['container'] => (g.container.kind !== 'top' ? g.container : local.container);

/** A loss or metric referenced by name: its body, inlined (a metric is a constant to gradients). */
export const elabRef = (ctx: Ctx, g: GlobalEntry, name: string, span: Span, local: Local): IRExpr | null => {
  const gl = g.global;
  if (gl.kind !== 'loss' && gl.kind !== 'metric') return null;
  if (ctx.stack.includes(name))
    return push(ctx, error(Codes.recursive, `'${name}' is defined in terms of itself (${[...ctx.stack, name].join(' -> ')})`, span));
  ctx.stack.push(name);
  const body = elab(ctx, gl.decl.body, {
    vars: new Map(),
    ns: g.ns,
    prefix: name,
    names: namingFor(ctx, gl.decl.body, g.ns, false),
    declName: name,
    container: bodyContainer(g, local),
    ...(local.split !== undefined ? { split: local.split } : {}),
    // a metric read by an observed value is observed too; read by a loss, it is differentiated
    ...(gl.kind === 'metric' && local.observed === true ? { observed: true } : {}),
  });
  ctx.stack.pop();
  if (body === null) return null;
  const t = asTensor(ctx, body);
  return { kind: 'ref', ref: gl.kind, name, stopGradient: gl.kind === 'metric', body: t, shape: t.shape, span };
};

const elabBinary = (ctx: Ctx, op: '+' | '-' | '*' | '/' | '@' | '^', le: Expr, re: Expr, span: Span, local: Local): IRExpr | null => {
  const lv = elab(ctx, le, local);
  const rv = elab(ctx, re, local);
  if (lv === null || rv === null) return null;
  const l = asTensor(ctx, lv);
  const r = asTensor(ctx, rv);
  if (op === '@') {
    const m = matmul(ctx.dims, l.shape, r.shape);
    if ('error' in m) return push(ctx, error(Codes.matmul, m.error, span));
    return { kind: 'binary', op, left: l, right: r, shape: m.shape, span };
  }
  const b = broadcast(ctx.dims, l.shape, r.shape);
  if (b === undefined)
    return push(
      ctx,
      error(
        Codes.broadcast,
        `cannot combine ${formatShape(resolveShape(ctx.dims, l.shape))} ${op} ${formatShape(resolveShape(ctx.dims, r.shape))}: the shapes do not broadcast`,
        span,
      ),
    );
  return { kind: 'binary', op, left: l, right: r, shape: b, span };
};

const calleeName = (e: CallExpr): string | undefined => dotted(e.callee);

const elabCall = (ctx: Ctx, e: CallExpr, local: Local): Val | null => {
  const name = calleeName(e);
  if (name === undefined) return push(ctx, error(Codes.wrongKind, 'only named functions can be called', e.callee.span));
  if (roleSelectors[name] !== undefined && lookupGlobal(ctx, local.ns, name) === undefined) return selectorVal(ctx, local, e);
  if (name === 'grad' || name === 'normal' || name === 'uniform')
    return push(
      ctx,
      error(Codes.wrongKind, `${name}(...) cannot appear here`, e.callee.span, name === 'grad' ? 'grad(e) gives a direction after `along` or `orthogonal to`' : `${name}(...) initializes a parameter after '~'`),
    );
  const g = lookupGlobal(ctx, local.ns, name);
  if (name === 'mixup' && g === undefined) return elabMixup(ctx, e, local);
  if ((name === 'applied_grad' || name === 'solver_residual') && g === undefined) return elabAppliedGrad(ctx, e, local, name);
  if (name === 'lambda_max' && g === undefined) return elabLambdaMax(ctx, e, local);
  if (g !== undefined) {
    const gl = g.global;
    switch (gl.kind) {
      case 'fn':
        return inlineFn(ctx, g, e.args, undefined, e.span, local);
      case 'model': {
        const [arg, ...extra] = e.args;
        if (arg === undefined || extra.length > 0 || arg.name !== undefined)
          return push(ctx, error(Codes.tooManyArgs, `model '${name}' takes one input`, e.span));
        const v = elab(ctx, arg.value, local);
        if (v === null) return null;
        return applyModel(ctx, g, asTensor(ctx, v), local, e.span);
      }
      case 'ensemble':
      case 'selected': {
        const [arg] = e.args;
        if (arg === undefined || e.args.length !== 1) return push(ctx, error(Codes.tooManyArgs, `${name}(e) takes one expression`, e.span));
        const v = elab(ctx, arg.value, local);
        if (v === null) return null;
        const t = asTensor(ctx, v);
        return { kind: 'members', alias: name, body: t, shape: t.shape, span: e.span };
      }
      case 'layer':
        return push(ctx, error(Codes.wrongKind, `'${name}' is a layer: apply it with |>`, e.callee.span, `x |> ${name}(...)`));
      default:
        return push(ctx, error(Codes.wrongKind, `'${name}' is a ${kindWords(gl.kind)}, not a function`, e.callee.span));
    }
  }
  const entry = ctx.registry.entries.get(name);
  if (entry === undefined) return unknownName(ctx, local, name, e.callee.span);
  switch (entry.kind) {
    case 'fn':
      return callFn(ctx, entry, undefined, e.args, e.span, local);
    case 'stateful':
      return callStateful(ctx, entry, undefined, e.args, e.span, local);
    case 'layer':
      return push(ctx, error(Codes.wrongKind, `'${name}' is a layer: apply it with |>`, e.callee.span, `x |> ${name}(...)`));
    default:
      return push(ctx, error(Codes.wrongKind, `'${name}' is a${entry.kind === 'optimizer' ? 'n' : ''} ${entry.kind}, not a function`, e.callee.span));
  }
};

/**
 * `applied_grad(p)` and `solver_residual(p)`: one parameter, read in a report item only (they are
 * observed, never differentiated).
 */
const elabAppliedGrad = (ctx: Ctx, e: CallExpr, local: Local, name: 'applied_grad' | 'solver_residual'): IRExpr | null => {
  const what = name === 'applied_grad' ? 'the gradient a rule applied' : "the residual of a rule's implicit solve";
  if (local.reporting !== true)
    return push(
      ctx,
      error(Codes.appliedGradPlace, `${name}(...) is ${what}, and can only be logged in a report`, e.callee.span, `report it instead: report every 10 steps: g = ${name}(log_lam)`),
    );
  const [arg] = e.args;
  const usage = `${name} takes one parameter, e.g. ${name}(log_lam) or ${name}(net.dense1.w)`;
  if (arg === undefined || e.args.length !== 1 || arg.name !== undefined) return push(ctx, error(Codes.appliedGradArg, usage, e.span));
  const v = elab(ctx, arg.value, local);
  if (v === null) return null;
  const path = v.kind === 'param' ? v.path : isParamSet(v) && v.paths.length === 1 ? v.paths[0] : undefined;
  const p = path === undefined ? undefined : ctx.params.get(path);
  if (path === undefined || p === undefined) {
    const many = isParamSet(v) ? ` (this selects ${v.paths.length} parameters: write one ${name} per parameter)` : '';
    return push(ctx, error(Codes.appliedGradArg, `${name} takes one parameter${many}`, arg.value.span, `e.g. ${name}(log_lam) or ${name}(net.dense1.w)`));
  }
  return name === 'applied_grad' ? { kind: 'appliedGrad', path, shape: p.shape, span: e.span } : { kind: 'appliedGrad', path, residual: true, shape: [], span: e.span };
};

/**
 * Expands a user definition (fn, layer, model) unless it is already being expanded: inlining a
 * definition that reaches itself would never end (E0213 names the cycle at the call).
 */
export const expanding = <T,>(ctx: Ctx, what: string, name: string, span: Span, body: () => T | null): T | null => {
  if (ctx.stack.includes(name)) {
    return push(
      ctx,
      error(Codes.recursive, `recursive definition: ${what} '${name}' is defined in terms of itself (${[...ctx.stack.slice(ctx.stack.indexOf(name)), name].join(' -> ')})`, span, 'xreg inlines every fn, layer and model, so none may call itself, directly or through others'),
    );
  }
  ctx.stack.push(name);
  try {
    return body();
  } finally {
    ctx.stack.pop();
  }
};

/** Inlines a user `fn`: its parameters bound to the elaborated arguments. */
export const inlineFn = (ctx: Ctx, g: GlobalEntry, args: readonly Argument[], piped: IRExpr | undefined, span: Span, local: Local): IRExpr | null => {
  if (g.global.kind !== 'fn') return null;
  return expanding(ctx, 'fn', g.global.decl.name.name, span, () => inlineFnBody(ctx, g, args, piped, span, local));
};

const inlineFnBody = (ctx: Ctx, g: GlobalEntry, args: readonly Argument[], piped: IRExpr | undefined, span: Span, local: Local): IRExpr | null => {
  if (g.global.kind !== 'fn') return null;
  const decl = g.global.decl;
  const given = (piped === undefined ? 0 : 1) + args.length;
  if (given !== decl.params.length)
    return push(ctx, error(given > decl.params.length ? Codes.tooManyArgs : Codes.missingArg, `'${decl.name.name}' takes ${decl.params.length} argument${decl.params.length === 1 ? '' : 's'}, got ${given}`, span));
  const vars = new Map<string, LocalVar>();
  const params = [...decl.params];
  if (piped !== undefined) vars.set(params.shift()!.name, { kind: 'tensor', expr: piped });
  for (const [i, a] of args.entries()) {
    const v = elab(ctx, a.value, local);
    if (v === null) return null;
    vars.set(params[i]!.name, isParamSet(v) ? { kind: 'params', paths: v.paths } : { kind: 'tensor', expr: v });
  }
  const body = elab(ctx, decl.body, { ...local, vars, ns: g.ns, names: namingFor(ctx, decl.body, g.ns, false), container: bodyContainer(g, local) });
  return body === null ? null : asTensor(ctx, body);
};

/** Applies a model: parameters live under the model's name, so every application shares them. */
export const applyModel = (ctx: Ctx, g: GlobalEntry, input: IRExpr, local: Local, span: Span = input.span): IRExpr | null => {
  if (g.global.kind !== 'model') return null;
  const decl = g.global.decl;
  const body = expanding(ctx, 'model', decl.name.name, span, () => elab(ctx, decl.body, {
    ...local,
    vars: new Map([[decl.input.name, { kind: 'tensor', expr: input }]]),
    ns: g.ns,
    container: bodyContainer(g, local),
    prefix: g.ns === '' ? decl.name.name : `${g.ns}.${decl.name.name}`,
    names: namingFor(ctx, decl.body, g.ns, false),
  }));
  return body === null ? null : asTensor(ctx, body);
};

/** Splits call arguments into tensors (positional first) and constant options of a registry entry. */
export const callFn = (ctx: Ctx, def: FnDef, piped: IRExpr | undefined, args: readonly Argument[], span: Span, local: Local): IRExpr | null => {
  const tensors: (IRExpr | undefined)[] = piped === undefined ? [] : [piped];
  const optionArgs: Argument[] = [];
  let ok = true;
  for (const a of args) {
    const named = a.name?.name;
    const ti = named === undefined ? (tensors.length < def.tensorArgs.length ? tensors.length : -1) : def.tensorArgs.indexOf(named);
    if (ti < 0 || (named === undefined && optionArgs.length > 0)) {
      optionArgs.push(a);
      continue;
    }
    const v = elab(ctx, a.value, local);
    if (v === null) ok = false;
    else tensors[ti] = asTensor(ctx, v);
  }
  const before = ctx.diags.length;
  const swept = sweepArgs(ctx, local, def.options, optionArgs, `'${def.name}'`);
  const sweepOptions = swept.sweep;
  const options = bindConstArgs(`'${def.name}'`, def.options, swept.args, constLookup(ctx, local), span, ctx.diags);
  // with an argument already reported, inferring the shape would only report it again
  if (!ok || ctx.diags.length > before) return null;
  const missing = def.tensorArgs.filter((_, i) => tensors[i] === undefined);
  if (missing.length > 0) return push(ctx, error(Codes.missingArg, `'${def.name}' needs ${missing.map((m) => `'${m}'`).join(', ')}`, span));
  const ts = tensors as IRExpr[];
  const shape = def.infer(
    ts.map((t) => resolveShape(ctx.dims, t.shape)),
    options,
  );
  // Entries' messages often start with their own name already.
  if (E.isLeft(shape)) return push(ctx, error(Codes.inferFailed, shape.left.startsWith(`${def.name}:`) ? shape.left : `${def.name}: ${shape.left}`, span));
  return { kind: 'call', fn: def.name, args: ts, options, ...(sweepOptions === undefined ? {} : { sweepOptions }), differentiable: def.differentiable, shape: shape.right, span };
};

export const callStateful = (
  ctx: Ctx,
  def: StatefulFnDef,
  piped: IRExpr | undefined,
  args: readonly Argument[],
  span: Span,
  local: Local,
): IRExpr | null => {
  let input = piped;
  const optionArgs: Argument[] = [];
  for (const a of args) {
    if (input === undefined && a.name === undefined) {
      const v = elab(ctx, a.value, local);
      if (v === null) return null;
      input = asTensor(ctx, v);
    } else optionArgs.push(a);
  }
  const swept = sweepArgs(ctx, local, def.options, optionArgs, `'${def.name}'`);
  const sweepOptions = swept.sweep;
  const before = ctx.diags.length;
  const options = bindConstArgs(`'${def.name}'`, def.options, swept.args, constLookup(ctx, local), span, ctx.diags);
  if (ctx.diags.length > before) return null;
  if (input === undefined) return push(ctx, error(Codes.missingArg, `'${def.name}' needs an input`, span));
  const checked = def.check?.(options);
  if (checked !== undefined && E.isLeft(checked)) return push(ctx, error(Codes.inferFailed, checked.left, span, def.checkHint));
  const shape: Shape = input.shape;
  return {
    kind: 'stateful',
    fn: def.name,
    input,
    options,
    ...(sweepOptions === undefined ? {} : { sweepOptions }),
    stateKey: `${local.declName}.${def.name}@${span.start.line}:${span.start.column}`,
    shape,
    span,
  };
};

/** `mixup(e, alpha: 0.2)`: a language form, since it changes the batch `e` sees. */
const elabMixup = (ctx: Ctx, e: CallExpr, local: Local): IRExpr | null => {
  const [body, ...rest] = e.args;
  if (body === undefined || body.name !== undefined) return push(ctx, error(Codes.missingArg, 'mixup(e, alpha: a) needs the expression e first', e.span));
  const opts = bindConstArgs("'mixup'", [{ name: 'alpha', type: 'number', default: 0.2 }], rest, constLookup(ctx, local), e.span, ctx.diags);
  const v = elab(ctx, body.value, local);
  if (v === null) return null;
  const t = asTensor(ctx, v);
  const alpha = typeof opts['alpha'] === 'number' ? opts['alpha'] : 0.2;
  return { kind: 'mixup', alpha, body: t, shape: t.shape, span: e.span };
};
