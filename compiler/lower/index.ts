/**
 * Lowering: IR → pure TensorFlow.js step functions (`LoweredProgram`). Everything that can go wrong
 * with the IR itself (an unknown entry, a non-scalar loss, bad optimizer options, an unsupported
 * form) is reported here as located diagnostics, before any step runs and without any data.
 */
import { tf } from '../../stdlib/tf.js';
import * as E from 'fp-ts/lib/Either.js';
import { type Diagnostic, error } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { makeLrSchedule, validateOptimizerOptions } from '../../stdlib/optimizers/index.js';
import { lookup, type Registry } from '../../stdlib/registry.js';
import type { ConstArgs, LrSchedule, OptimizerDef, OptState, StatefulFnDef } from '../../stdlib/types.js';
import { children as childrenOf, type IRBody, type IRDuration, type IRExpr, type IRNamedExpr, type IRParam, type IRProgram, type IRRule } from '../ir.js';
import { APPLIED } from './applied.js';
import { LowerCodes } from './codes.js';
import { unrollEnsemble } from './ensemble.js';
import { firstNonFinite } from './nonfinite.js';
import { bindSweepMember, hasSweptConstants } from './bind-sweep.js';
import { sameMember, showMember } from '../sweep-arith.js';
import { compileExpr, type Ev, type HelperState, statefulNodes, type SweepValues } from './eval.js';
import { lowerFigures } from './figures.js';
import { initParam } from './init.js';
import { needsOf } from './needs.js';
import { observable } from './observe.js';
import { ruleLoss, type RuleParts, ruleStep } from './rule.js';
import { bindSweepOptions } from './sweep-options.js';
import { firings } from './schedule.js';
import type { LoweredObservable, LoweredPhase, LoweredProgram, LoweredRule, LowerOptions, RunState } from './types.js';

export type * from './types.js';
export { batchKey } from './types.js';
export { releaseOld, disposeState, stateTensors } from './release.js';
export { ELEMENT_SERIES_MAX } from './figures.js';

type Lowered<T> = E.Either<Diagnostic[], T>;

const collect = <T>(rs: readonly Lowered<T>[]): Lowered<T[]> => {
  const errs = rs.flatMap((r) => (E.isLeft(r) ? r.left : []));
  return errs.length > 0 ? E.left(errs) : E.right(rs.map((r) => (r as E.Right<T>).right));
};

/** A value with one element (`srn(w)` on one unbatched input is [1]) is read as the scalar it holds. */
const scalar = (e: IRExpr, what: string): Lowered<IRExpr> =>
  e.shape.length === 0
    ? E.right(e)
    : e.shape.every((d) => d === 1)
      ? E.right({ kind: 'reshape', operand: e, shape: [], span: e.span })
      : E.left([error(LowerCodes.notScalar, `lowering: ${what} must be a scalar, it has shape [${e.shape.join(', ')}]`, e.span)]);

const fileSpan = (file: string): Span => ({ file, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } });

const optimizerOf = (r: IRRule, registry: Registry, o: ConstArgs): Lowered<{ def: OptimizerDef; lr: LrSchedule }> => {
  const bad = (m: string): Lowered<never> => E.left([error(LowerCodes.badOptimizer, `lowering: rule ${r.name}: ${m}`, r.span)]);
  const def = lookup(registry, r.optimizer.name);
  if (def === undefined || def.kind !== 'optimizer') return bad(`the registry has no optimizer '${r.optimizer.name}'`);
  const lr = o['lr'];
  if (typeof lr !== 'number') return bad(`${r.optimizer.name} needs a number lr`);
  const ok = validateOptimizerOptions(def, o);
  if (E.isLeft(ok)) return bad(ok.left);
  const schedule = makeLrSchedule(lr, o);
  return E.isLeft(schedule) ? bad(schedule.left) : E.right({ def, lr: schedule.right });
};

/**
 * Options bound per sweep member are checked for every member when the first is lowered (as
 * `xreg check` and the start of `xreg run` do), so that a value only a later member gets wrong is
 * found before training; once, not per member (a 1000-member sweep lowers 1000 times).
 */
const otherMemberOptions = (c: Ctx, r: IRRule): Lowered<void> => {
  const sw = c.ir.sweep;
  const first = sw?.members[0];
  if (sw === undefined || first === undefined || r.optimizer.sweepOptions === undefined || !sameMember(c.sweep, first)) return E.right(undefined);
  const errs = sw.members.flatMap((m, i) => {
    if (sameMember(m, first)) return [];
    const o = E.chain((x: ConstArgs) => optimizerOf(r, c.registry, x))(bindSweepOptions(r.optimizer, m, r.name, r.span));
    return E.isLeft(o) ? o.left.map((d) => ({ ...d, message: `${d.message} (sweep member ${i}, ${showMember(m)})` })) : [];
  });
  return errs.length > 0 ? E.left(errs.slice(0, 1)) : E.right(undefined);
};

interface Ctx {
  readonly ir: IRProgram;
  readonly registry: Registry;
  readonly sweep: SweepValues;
  readonly options: LowerOptions;
  readonly params: ReadonlyMap<string, IRParam>;
  /** Parameters whose applied gradient a report reads (`applied_grad`). */
  readonly recorded: ReadonlySet<string>;
}

const lowerRule = (c: Ctx, r: IRRule, length: IRDuration): Lowered<LoweredRule> => {
  const targets = collect(
    r.targets.map((p): Lowered<IRParam> => {
      const param = c.params.get(p);
      return param !== undefined
        ? E.right(param)
        : E.left([error(LowerCodes.unsupported, `lowering: rule ${r.name} targets '${p}', which is not a parameter`, r.span)]);
    }),
  );
  const loss = E.chain((e: IRExpr) => compileExpr(e, c.registry, c.sweep))(scalar(r.loss, `the loss of rule ${r.name}`));
  const geo = r.geometry;
  const direction: Lowered<RuleParts['geometry']> =
    geo.kind === 'none'
      ? E.right(undefined)
      : E.map((d: Ev) => ({ kind: geo.kind, direction: d }))(
          E.chain((e: IRExpr) => compileExpr(e, c.registry, c.sweep))(scalar(geo.direction, `the direction of rule ${r.name}`)),
        );
  const imp = r.implicit;
  const implicit =
    imp === undefined
      ? E.right(undefined)
      : E.map((inner: Ev) => ({ inner, innerTargets: imp.inner, method: imp.method, innerLr: imp.innerLr }))(E.chain((e: IRExpr) => compileExpr(e, c.registry, c.sweep))(scalar(imp.loss, `the loss rule ${r.name} differentiates through`)));
  const options = bindSweepOptions(r.optimizer, c.sweep, r.name, r.span);
  const opt = E.chain((o: ConstArgs) => optimizerOf(r, c.registry, o))(options);
  // The member's own options failing is reported once, not again for every other member.
  const otherMembers = E.isLeft(options) ? E.right(undefined) : otherMemberOptions(c, r);
  const errs = [targets, loss, direction, opt, otherMembers, implicit].flatMap((x) => (E.isLeft(x) ? x.left : []));
  if (E.isLeft(targets) || E.isLeft(loss) || E.isLeft(direction) || E.isLeft(opt) || E.isLeft(options) || E.isLeft(otherMembers) || E.isLeft(implicit)) return E.left(errs);
  const batch = r.batch > 0 ? r.batch : c.ir.run.batch;
  const parts: RuleParts = {
    name: r.name,
    targets: r.targets,
    onSphere: targets.right.map((p) => p.onSphere),
    loss: loss.right,
    ...(direction.right === undefined ? {} : { geometry: direction.right }),
    ...(implicit.right === undefined ? {} : { implicit: implicit.right }),
    optimizer: opt.right.def,
    options: options.right,
    lr: opt.right.lr,
    total: firings(r.schedule, length, c.options.clock ?? c.options.stepsPerEpoch),
    recorded: r.targets.filter((p) => c.recorded.has(p)),
  };
  return E.right({
    name: r.name,
    ir: r,
    options: options.right,
    needs: needsOf([r.loss, ...(geo.kind === 'none' ? [] : [geo.direction]), ...(r.implicit === undefined ? [] : [r.implicit.loss])], batch),
    step: ruleStep(parts),
    lossValue: ruleLoss(parts),
  });
};

const lowerObservable = (c: Ctx, n: IRNamedExpr, batch: number | 'all', what: string): Lowered<LoweredObservable> =>
  E.map((ev: Ev) => observable(n.name, needsOf([n.expr], batch), ev, firstNonFinite(n.expr, c.registry, c.sweep)))(
    E.chain((e: IRExpr) => compileExpr(e, c.registry, c.sweep))(scalar(n.expr, `${what} '${n.name}'`)),
  );

/**
 * The program's own body plus, for a sweep member, the sweep's body, and for a population member
 * the population's body: one member is lowered, and the runtime runs the member loop (PBT's
 * `hyper` parameters are ordinary state that no rule targets; exploit/explore copies and perturbs it).
 */
const bodyOf = (ir: IRProgram): IRBody => {
  const extra = [ir.sweep?.body, ir.population?.body].filter((b): b is IRBody => b !== undefined);
  return {
    rules: [...ir.rules, ...extra.flatMap((b) => b.rules)],
    losses: [...ir.losses, ...extra.flatMap((b) => b.losses)],
    metrics: [...ir.metrics, ...extra.flatMap((b) => b.metrics)],
  };
};

const unsupportedForms = (ir: IRProgram): Diagnostic[] => [
  ...(ir.ensemble !== undefined && ir.population !== undefined
    ? [error(LowerCodes.unsupported, 'lowering: an ensemble inside a population is not supported', fileSpan(ir.file))]
    : []),
  // Unrolling an ensemble renames its parameters; the inner parameters of `through` are not renamed yet.
  ...(ir.ensemble !== undefined && [ir, ir.ensemble.body, ...ir.phases].some((b) => b.rules.some((r) => r.implicit !== undefined))
    ? [error(LowerCodes.unsupported, "lowering: 'through' in a program with an ensemble is not supported", fileSpan(ir.file))]
    : []),
  // The executor trains a population as one set of members: a sweep around it would run its first value only.
  ...(ir.sweep !== undefined && ir.population !== undefined
    ? [error(LowerCodes.unsupported, 'lowering: a sweep and a population in one program are not supported', fileSpan(ir.file), 'run the population once per value instead (--set on a let)')]
    : []),
];

const appliedPaths = (ir: IRProgram): Set<string> => {
  const out = new Set<string>();
  const walk = (e: IRExpr): void => {
    if (e.kind === 'appliedGrad') out.add(e.path);
    childrenOf(e).forEach(walk);
  };
  (ir.report?.items ?? []).forEach((i) => walk(i.expr));
  return out;
};

/**
 * Lowers one member of the program. An ensemble is unrolled first (`unrollEnsemble`): the result's
 * `ir` is the unrolled program (no `ensemble`, member parameters `m<i>.…`, rules `…@m<i>`) and
 * `members` its size.
 */
export const lowerProgram = (source: IRProgram, registry: Registry, options: LowerOptions = {}): Lowered<LoweredProgram> => {
  const refused = unsupportedForms(source);
  if (refused.length > 0) return E.left(refused);
  const bound = options.sweep !== undefined && source.sweep !== undefined && hasSweptConstants(source) ? bindSweepMember(source, registry, options.sweep) : E.right(source);
  if (E.isLeft(bound)) return bound;
  const { ir, members } = unrollEnsemble(bound.right);
  const c: Ctx = { ir, registry, sweep: options.sweep ?? {}, options, params: new Map(ir.params.map((p) => [p.path, p])), recorded: appliedPaths(ir) };
  const body = bodyOf(ir);
  const rules = collect(body.rules.map((r) => lowerRule(c, r, ir.run.length)));
  const phases = collect(
    ir.phases.map((ph) =>
      E.map((rs: LoweredRule[]): LoweredPhase => ({ name: ph.name, ...(ph.length === undefined ? {} : { length: ph.length }), rules: rs }))(
        collect(ph.rules.map((r) => lowerRule(c, r, ph.length ?? ir.run.length))),
      ),
    ),
  );
  const losses = collect(body.losses.map((n) => lowerObservable(c, n, ir.run.batch, 'loss')));
  const metrics = collect(body.metrics.map((n) => lowerObservable(c, n, 'all', 'metric')));
  const reports = collect((ir.report?.items ?? []).map((n) => lowerObservable(c, n, 'all', 'report item')));
  const errs = [...[rules, phases, losses, metrics, reports].flatMap((x) => (E.isLeft(x) ? x.left : []))];
  if (errs.length > 0 || E.isLeft(rules) || E.isLeft(phases) || E.isLeft(losses) || E.isLeft(metrics) || E.isLeft(reports)) {
    return E.left(errs);
  }
  const allRules = [...rules.right, ...phases.right.flatMap((p) => p.rules)];
  const exprs: IRExpr[] = [
    ...allRules.flatMap((r) => [r.ir.loss, ...(r.ir.geometry.kind === 'none' ? [] : [r.ir.geometry.direction]), ...(r.ir.implicit === undefined ? [] : [r.ir.implicit.loss])]),
    ...[...body.losses, ...body.metrics, ...(ir.report?.items ?? [])].map((n) => n.expr),
  ];
  const helperInits = new Map<string, () => HelperState>();
  for (const node of exprs.flatMap(statefulNodes)) {
    const def = lookup(registry, node.fn);
    // compileExpr has already refused any stateful node without a stateful entry.
    if (def !== undefined && def.kind === 'stateful' && !helperInits.has(node.stateKey)) {
      const d: StatefulFnDef = def;
      const o = node.options;
      helperInits.set(node.stateKey, () => d.init(o));
    }
  }
  const init = (seed: number): RunState => {
    const params: Record<string, tf.Tensor> = {};
    for (const p of ir.params) params[p.path] = initParam(p, seed);
    const opt: Record<string, OptState> = {};
    for (const r of allRules) {
      const def = lookup(registry, r.ir.optimizer.name) as OptimizerDef;
      opt[r.name] = def.init(
        r.ir.targets.map((p) => params[p] as tf.Tensor),
        r.options,
      );
    }
    // Zeros until a rule applies a gradient: a fresh state has the slots a checkpoint will hold.
    const recorded = [...c.recorded].filter((p) => params[p] !== undefined);
    // A rule that solves (`through F`) records its residual beside the gradient: NaN until it first does.
    const solved = new Set(allRules.flatMap((r) => (r.ir.implicit?.method.kind === 'implicit' ? r.ir.targets : [])));
    if (recorded.length > 0)
      opt[APPLIED] = {
        t: 0,
        slots: Object.fromEntries(recorded.map((p) => [p, [tf.zerosLike(params[p] as tf.Tensor), ...(solved.has(p) ? [tf.scalar(Number.NaN)] : [])]])),
      };
    const helpers: Record<string, HelperState> = {};
    for (const [k, f] of helperInits) helpers[k] = f();
    return { step: 0, params, opt, helpers };
  };
  const figures = lowerFigures({
    source: bound.right.figures,
    lowered: ir.figures,
    params: c.params,
    ...(source.ensemble === undefined ? {} : { members }),
    logged: new Set([...losses.right, ...metrics.right, ...reports.right].map((o) => o.name)),
    registry,
    sweep: c.sweep,
  });
  return E.right({
    ir,
    ...(source.ensemble === undefined ? {} : { members }),
    init,
    rules: rules.right,
    phases: phases.right,
    losses: losses.right,
    metrics: metrics.right,
    reports: reports.right,
    figures,
  });
};
