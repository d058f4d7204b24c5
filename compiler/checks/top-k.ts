/**
 * `select best K by lowest M as NAME`: K is a whole number of members the sweep has (E0522), and
 * `NAME(e)` — the average of e over the K selected members — exists only once every member has
 * trained, so only a metric may read it, and that metric not the sweep variable, which differs
 * among the selected members (E0523). Such metrics move to `select.after`.
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { Codes } from '../codes.js';
import { children, type IRExpr, type IRNamedExpr, type IRProgram } from '../ir.js';
import { mapProgramExprs } from '../ir-map.js';

const nodes = (e: IRExpr): IRExpr[] => [e, ...children(e).flatMap(nodes)];
const reads = (alias: string) => (e: IRExpr): IRExpr | undefined => nodes(e).find((n) => n.kind === 'members' && n.alias === alias);

export const selectTopK = (ir: IRProgram, diags: Diagnostic[], kSpan: Diagnostic['span'] | undefined): IRProgram => {
  const sw = ir.sweep;
  const sel = sw?.select;
  if (sw === undefined || sel === undefined || (sel.best === undefined && sel.alias === undefined)) return ir;
  const k = sel.best ?? 1;
  if (kSpan !== undefined && (!Number.isInteger(k) || k < 1 || k > sw.members.length))
    diags.push(
      error(Codes.topK, `select best ${k}: the sweep has ${sw.members.length} member${sw.members.length === 1 ? '' : 's'}, so it can keep 1 to ${sw.members.length}`, kSpan, `e.g. select best ${Math.min(5, sw.members.length)} by ${sel.direction} ${sel.metric}`),
    );
  const alias = sel.alias;
  if (alias === undefined) return ir;
  const readsAlias = reads(alias);
  const isAfter = (m: IRNamedExpr): boolean => readsAlias(m.expr) !== undefined;
  const after = [...ir.metrics.filter(isAfter), ...sw.body.metrics.filter(isAfter)];
  for (const m of after) {
    const v = nodes(m.expr).find((n) => n.kind === 'sweepVar');
    if (v?.kind === 'sweepVar')
      diags.push(
        error(
          Codes.topKUse,
          `metric '${m.name}' reads ${alias}(...) and the sweep variable '${v.name}', which differs among the selected members`,
          v.span,
          `read the value inside ${alias}(...) only through the members' parameters; log '${v.name}' per member instead`,
        ),
      );
  }
  const rest: IRProgram = {
    ...ir,
    metrics: ir.metrics.filter((m) => !isAfter(m)),
    sweep: { ...sw, body: { ...sw.body, metrics: sw.body.metrics.filter((m) => !isAfter(m)) }, select: { ...sel, after } },
  };
  // Anywhere else (a loss, a rule, a report item, a figure) it would be needed before it exists.
  mapProgramExprs({ ...rest, sweep: { ...rest.sweep!, select: { ...sel } } }, (e) => {
    const n = readsAlias(e);
    if (n !== undefined)
      diags.push(
        error(
          Codes.topKUse,
          `${alias}(...) averages the ${k} selected members, known only once the sweep is done: only a metric may read it`,
          n.span,
          `declare it as a metric: metric ${alias}_value = ... ${alias}(...) ... over test`,
        ),
      );
    return e;
  });
  return rest;
};
