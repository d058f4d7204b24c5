/**
 * Ensembles are unrolled into an ordinary program before lowering, so the runtime needs no
 * member loop: every parameter the ensemble's rules train is replicated per member under the
 * prefix `m<i>.` (initialized from the run seed and its own path, hence differently per member),
 * each ensemble rule becomes one rule per member (`update1@m0`, …) targeting that member's copy,
 * and `alias(e)` becomes the average over members of `e` read with each member's parameters.
 *
 * Outside `alias(…)`, an expression that reads replicated parameters has no single value; choices:
 * - a rule (anywhere) that targets replicated parameters is replicated per member like the
 *   ensemble's own rules; any other rule reading them minimizes the average over members;
 * - a loss, metric or report item reading them is observed as the average over members under its
 *   own name, and per member as `<name>@m<i>`;
 * - a figure argument reading them is averaged over members, elementwise.
 * Stateful helpers are per member (their state key gets the `@m<i>` suffix).
 */
import { children as childrenOf, type IRBody, type IRExpr, type IRNamedExpr, type IRParam, type IRProgram, type IRRule } from '../ir.js';

export const memberPath = (i: number, path: string): string => `m${i}.${path}`;
export const memberName = (name: string, i: number): string => `${name}@m${i}`;

type Rename = (path: string) => string;

/** `e` with parameter paths renamed and helper keys suffixed, `members` nodes expanded. */
const rewrite = (e: IRExpr, rename: Rename, suffix: string, expand: (x: IRExpr) => IRExpr): IRExpr => {
  const r = (x: IRExpr): IRExpr => rewrite(x, rename, suffix, expand);
  switch (e.kind) {
    case 'const':
    case 'field':
    case 'sweepVar':
      return e;
    case 'param':
    case 'appliedGrad':
      return { ...e, path: rename(e.path) };
    case 'flatParams':
      return { ...e, paths: e.paths.map(rename) };
    case 'call':
      return { ...e, args: e.args.map(r) };
    case 'layer':
      return { ...e, input: r(e.input), params: Object.fromEntries(Object.entries(e.params).map(([k, v]) => [k, rename(v)])) };
    case 'binary':
      return { ...e, left: r(e.left), right: r(e.right) };
    case 'neg':
    case 'reshape':
      return { ...e, operand: r(e.operand) };
    case 'mean':
    case 'deterministic':
    case 'over':
    case 'ref':
    case 'mixup':
      return { ...e, body: r(e.body) };
    case 'lambdaMax':
      return { ...e, body: r(e.body), paths: e.paths.map(rename) };
    case 'stateful':
      return { ...e, input: r(e.input), stateKey: `${e.stateKey}${suffix}` };
    case 'members':
      return expand(e.body);
  }
};

/** The sum of `xs` divided by their count, as IR (shapes are the first term's). */
const average = (xs: readonly IRExpr[]): IRExpr => {
  const [first, ...rest] = xs;
  if (first === undefined) throw new Error('internal error: an ensemble of no members');
  const sum = rest.reduce<IRExpr>((acc, x) => ({ kind: 'binary', op: '+', left: acc, right: x, shape: first.shape, span: first.span }), first);
  const n: IRExpr = { kind: 'const', value: xs.length, shape: [], span: first.span };
  return xs.length === 1 ? first : { kind: 'binary', op: '/', left: sum, right: n, shape: first.shape, span: first.span };
};

export interface Unrolled {
  readonly ir: IRProgram;
  readonly members: number;
}

/** The ensemble program as a plain one (`ensemble` removed); programs without one are returned as is. */
export const unrollEnsemble = (ir: IRProgram): Unrolled => {
  const ens = ir.ensemble;
  if (ens === undefined) return { ir, members: 1 };
  const n = Math.max(1, ens.size);
  const members = [...Array(n).keys()];
  const replicated = new Set(ens.body.rules.flatMap((r) => r.targets));
  const renameFor =
    (i: number): Rename =>
    (p) =>
      replicated.has(p) ? memberPath(i, p) : p;

  // The ensemble mean: each member's copy of the body, averaged (its inner `members` expand alike).
  const expand = (body: IRExpr): IRExpr => average(members.map((i) => forMember(body, i)));
  const forMember = (e: IRExpr, i: number): IRExpr => rewrite(e, renameFor(i), `@m${i}`, expand);
  const shared = (e: IRExpr): IRExpr => rewrite(e, (p) => p, '', expand);

  /** Whether `e` reads a replicated parameter outside every `members` node. */
  const perMember = (e: IRExpr): boolean => {
    switch (e.kind) {
      case 'param':
      case 'appliedGrad':
        return replicated.has(e.path);
      case 'flatParams':
        return e.paths.some((p) => replicated.has(p));
      case 'layer':
        return Object.values(e.params).some((p) => replicated.has(p)) || perMember(e.input);
      case 'members':
        return false;
      default:
        return childrenOf(e).some(perMember);
    }
  };

  const rule = (r: IRRule): IRRule[] => {
    const exprs = [r.loss, ...(r.geometry.kind === 'none' ? [] : [r.geometry.direction])];
    if (r.targets.some((p) => replicated.has(p))) {
      return members.map((i) => ({
        ...r,
        name: memberName(r.name, i),
        targets: r.targets.map(renameFor(i)),
        loss: forMember(r.loss, i),
        geometry: r.geometry.kind === 'none' ? r.geometry : { ...r.geometry, direction: forMember(r.geometry.direction, i) },
      }));
    }
    if (!exprs.some(perMember)) {
      return [{ ...r, loss: shared(r.loss), geometry: r.geometry.kind === 'none' ? r.geometry : { ...r.geometry, direction: shared(r.geometry.direction) } }];
    }
    const avg = (e: IRExpr): IRExpr => average(members.map((i) => forMember(e, i)));
    return [{ ...r, loss: avg(r.loss), geometry: r.geometry.kind === 'none' ? r.geometry : { ...r.geometry, direction: avg(r.geometry.direction) } }];
  };

  const named = (x: IRNamedExpr): IRNamedExpr[] =>
    perMember(x.expr)
      ? [
          { ...x, expr: average(members.map((i) => forMember(x.expr, i))) },
          ...members.map((i) => ({ ...x, name: memberName(x.name, i), expr: forMember(x.expr, i) })),
        ]
      : [{ ...x, expr: shared(x.expr) }];

  const body = (b: IRBody): IRBody => ({ rules: b.rules.flatMap(rule), losses: b.losses.flatMap(named), metrics: b.metrics.flatMap(named) });

  const params: IRParam[] = ir.params
    .flatMap((p) => (replicated.has(p.path) ? members.map((i) => ({ ...p, path: memberPath(i, p.path) })) : [p]))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const partitions = Object.fromEntries(
    Object.entries(ir.partitions).map(([k, ps]) => [k, ps.flatMap((p) => (replicated.has(p) ? members.map((i) => memberPath(i, p)) : [p]))]),
  );
  const top = body(ir);
  const inner = body(ens.body);
  const { ensemble: _dropped, ...rest } = ir;
  const out: IRProgram = {
    ...rest,
    params,
    partitions,
    rules: [...top.rules, ...inner.rules],
    losses: [...top.losses, ...inner.losses],
    metrics: [...top.metrics, ...inner.metrics],
    phases: ir.phases.map((ph) => ({ ...ph, rules: ph.rules.flatMap(rule) })),
    figures: ir.figures.map((f) => ({ ...f, args: f.args.map((a) => (perMember(a) ? average(members.map((i) => forMember(a, i))) : shared(a))) })),
    ...(ir.report === undefined ? {} : { report: { ...ir.report, items: ir.report.items.flatMap(named) } }),
    ...(ir.sweep === undefined ? {} : { sweep: { ...ir.sweep, body: body(ir.sweep.body) } }),
    ...(ir.population === undefined ? {} : { population: { ...ir.population, body: body(ir.population.body) } }),
  };
  return { ir: out, members: n };
};
