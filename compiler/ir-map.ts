/** Rewriting every expression of a program, bottom up: passes that bind or rename within the IR. */
import { isLeaf, type IRBody, type IRExpr, type IRNamedExpr, type IRProgram, type IRRule } from './ir.js';

/** `e` with `f` applied to each child (not to `e` itself). */
export const mapChildren = (e: IRExpr, f: (x: IRExpr) => IRExpr): IRExpr => {
  if (isLeaf(e)) return e;
  switch (e.kind) {
    case 'call':
      return { ...e, args: e.args.map(f) };
    case 'layer':
    case 'stateful':
      return { ...e, input: f(e.input) };
    case 'binary':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'neg':
    case 'reshape':
      return { ...e, operand: f(e.operand) };
    case 'mean':
    case 'deterministic':
    case 'over':
    case 'ref':
    case 'mixup':
    case 'members':
    case 'lambdaMax':
      return { ...e, body: f(e.body) };
  }
};

/** `f` applied to every node of `e`, children first. */
export const mapBottomUp = (e: IRExpr, f: (x: IRExpr) => IRExpr): IRExpr => f(mapChildren(e, (c) => mapBottomUp(c, f)));

/** Every expression of the program (rules, losses, metrics, reports, figures, blocks) mapped by `m`. */
export const mapProgramExprs = (ir: IRProgram, m: (e: IRExpr) => IRExpr): IRProgram => {
  const rule = (r: IRRule): IRRule => ({
    ...r,
    loss: m(r.loss),
    geometry: r.geometry.kind === 'none' ? r.geometry : { ...r.geometry, direction: m(r.geometry.direction) },
    ...(r.implicit === undefined ? {} : { implicit: { ...r.implicit, loss: m(r.implicit.loss) } }),
  });
  const named = (n: IRNamedExpr): IRNamedExpr => ({ ...n, expr: m(n.expr) });
  const body = <B extends IRBody>(b: B): B => ({ ...b, rules: b.rules.map(rule), losses: b.losses.map(named), metrics: b.metrics.map(named) });
  return {
    ...body(ir),
    phases: ir.phases.map((ph) => ({ ...ph, rules: ph.rules.map(rule) })),
    figures: ir.figures.map((f) => ({ ...f, args: f.args.map(m) })),
    ...(ir.report === undefined ? {} : { report: { ...ir.report, items: ir.report.items.map(named) } }),
    ...(ir.sweep === undefined ? {} : { sweep: { ...ir.sweep, body: body(ir.sweep.body) } }),
    ...(ir.ensemble === undefined ? {} : { ensemble: { ...ir.ensemble, body: body(ir.ensemble.body) } }),
    ...(ir.population === undefined
      ? {}
      : { population: { ...ir.population, body: body(ir.population.body), ...(ir.population.exploit === undefined ? {} : { exploit: { ...ir.population.exploit, by: m(ir.population.exploit.by) } }) } }),
  };
};
