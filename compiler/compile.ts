/**
 * The front half of the compiler: AST → checked IR. Touches no data: shapes come from the
 * loaders' static schemas. Elaboration runs twice so that selectors inside expressions
 * (`flat(params(net))`) see every parameter whatever the order of declarations.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Expr, Program } from '../dsl/ast.js';
import { error, hasErrors, sortDiagnostics, warning, type Diagnostic } from '../dsl/diagnostic.js';
import { parseProgram } from '../dsl/parse.js';
import { standardLibrary, type Registry } from '../stdlib/registry.js';
import { checkLeakage, type CheckedRule } from './checks/leakage.js';
import { checkReachability } from './checks/reachability.js';
import { checkScalars } from './checks/scalars.js';
import { checkSchedules } from './checks/schedules.js';
import { checkClasses } from './checks/classes.js';
import { checkPhases } from './checks/phases.js';
import { checkSelection, type Selection } from './checks/selection.js';
import { checkSplitOrder } from './checks/splits.js';
import { checkInputLimits } from './checks/input-limits.js';
import { sweepGrid, type Grid } from './checks/grid.js';
import { selectTopK } from './checks/top-k.js';
import { bindSweepMember, hasSweptConstants } from './lower/bind-sweep.js';
import { Codes } from './codes.js';
import { children } from './ir.js';
import type { IRDuration, IRExpr, IRFigure, IRNamedExpr, IRPhase, IRPopulation, IRProgram, IRRule } from './ir.js';
import { assignPartitions, type RuleTargets } from './partitions/assign.js';
import { ParamTable, watched } from './partitions/param-table.js';
import { dotted, selectParams } from './partitions/selectors.js';
import type { Span } from '../dsl/span.js';
import { gatherDecls, type Container, type PlacedDecl, type ReadFile } from './resolve/imports.js';
import { buildGlobals, evalLets } from './resolve/scope.js';
import { elabRule, localFor, splitsOf, type RuleDraft } from './rules.js';
import type { Ctx, Local, ParamEntry } from './types/context.js';
import { elabData, elabSplit, toIRData, type DataDraft, type SplitDraft } from './types/data.js';
import { asTensor, constLookup, elab, elabRef, lookupGlobal, unknownName } from './types/elaborate.js';
import { evalConst, FOLLOW_ON } from './resolve/consts.js';
import { declareParam } from './types/params.js';
import { onDivergence } from './checks/on-divergence.js';
import { textOrder } from '../dsl/text-order.js';

export const DEFAULT_BATCH = 32;
/** A program without `run` trains for this long. */
export const DEFAULT_RUN: IRDuration = { n: 10, unit: 'epochs' };

export interface CompileOptions {
  readonly readFile?: ReadFile;
  readonly overrides?: Readonly<Record<string, number | string | boolean>>;
  readonly registry?: Registry;
  /**
   * 'auto' (the default) keeps the first elaboration pass where a second could not change it;
   * 'always' runs both, so tests can check that the shortcut changes nothing.
   */
  readonly discoveryPass?: 'auto' | 'always';
  /** Told how many elaboration passes ran (for tests and benchmarks). */
  readonly onPasses?: (passes: 1 | 2) => void;
}

export interface CompileResult {
  readonly ir?: IRProgram;
  readonly diagnostics: Diagnostic[];
}

const noFiles: ReadFile = (p) => E.left(`no file reader was given (reading ${p})`);

const paramPath = (p: PlacedDecl, name: string): string => (p.ns === '' ? name : `${p.ns}.${name}`);

interface Drafts {
  rules: RuleDraft[];
  losses: (IRNamedExpr & { container: Container })[];
  metrics: (IRNamedExpr & { container: Container })[];
  report: IRNamedExpr[];
  figures: IRFigure[];
  population: { -readonly [K in 'every' | 'exploit' | 'explore']?: IRPopulation[K] };
}

/**
 * `explore perturb(f1, f2, ..., min: a, max: b)`: positive factors, and optional bounds on the
 * perturbed values (in the parameter's own scale: log σ for a `log_` one).
 */
const exploreOf = (ctx: Ctx, s: Expr, sname: string): IRPopulation['explore'] => {
  const bad = (m: string, span: Span, hint: string): undefined => void ctx.diags.push(error(Codes.badExplore, m, span, hint));
  const usage = 'e.g. explore perturb(0.8, 1.2, min: -6, max: 0)';
  const bounds: { min?: number; max?: number } = {};
  const factors: number[] = [];
  for (const a of s.kind === 'Call' ? s.args : []) {
    if (a.name === undefined) {
      if (a.value.kind !== 'Number') return bad(`the factors of ${sname}(...) are numbers`, a.value.span, usage);
      factors.push(a.value.value);
      continue;
    }
    const k = a.name.name;
    if (k !== 'min' && k !== 'max') return bad(`${sname}(...) has no option '${k}'`, a.name.span, `its options are min and max, the bounds of the perturbed values: ${usage}`);
    const v = evalConst(a.value, constLookup(ctx, { vars: new Map(), ns: '', prefix: '', names: new Map(), declName: 'explore', container: { kind: 'top' } }));
    if (E.isLeft(v) || typeof v.right !== 'number') return bad(`'${k}' of ${sname}(...) is a number`, a.value.span, usage);
    bounds[k] = v.right;
  }
  if (factors.some((f) => !(f > 0))) return bad(`the factors of ${sname}(...) multiply the values: each must be above 0`, s.span, usage);
  if (bounds.min !== undefined && bounds.max !== undefined && !(bounds.min < bounds.max)) return bad(`${sname}(...): min ${bounds.min} is not below max ${bounds.max}`, s.span, usage);
  return { strategy: sname, args: factors, ...bounds };
};

/** One elaboration pass over every declaration that holds expressions. */
const elaborateAll = (ctx: Ctx, decls: readonly PlacedDecl[]): Drafts => {
  const out: Drafts = { rules: [], losses: [], metrics: [], report: [], figures: [], population: {} };
  let ruleCount = 0;
  // names a figure may draw as a series
  const reported = new Set(decls.flatMap((q) => (q.decl.kind === 'Report' ? q.decl.items.map((i) => i.name.name) : [])));
  for (const p of decls) {
    const d = p.decl;
    switch (d.kind) {
      case 'Loss':
      case 'Metric': {
        const g = lookupGlobal(ctx, p.ns, d.name.name);
        if (g === undefined || g.global.decl !== d) break;
        // a loss or metric without `over` is completed by the `over` of its user (`acc over reg`)
        const own: Diagnostic[] = [];
        const saved = ctx.diags;
        ctx.diags = own;
        const local = localFor(d.name.name, d.body, ctx, p.container, p.ns);
        const ir = elabRef(ctx, g, d.name.name, d.name.span, d.kind === 'Metric' ? { ...local, observed: true } : local);
        ctx.diags = saved;
        if (own.some((x) => x.code === Codes.fieldOutsideOver)) break;
        ctx.diags.push(...own);
        if (ir !== null) (d.kind === 'Loss' ? out.losses : out.metrics).push({ name: d.name.name, expr: ir, span: d.span, container: p.container });
        break;
      }
      case 'Update': {
        ruleCount++;
        const name = p.container.kind === 'phase' ? `${p.container.name}.update${ruleCount}` : `update${ruleCount}`;
        const r = elabRule(ctx, d, name, p.container, p.ns);
        if (r !== undefined) out.rules.push(r);
        break;
      }
      case 'Report':
        for (const it of d.items) {
          const e: Expr = it.value ?? { kind: 'Name', name: it.name.name, span: it.name.span };
          const v = elab(ctx, e, { ...localFor(it.name.name, e, ctx, p.container, p.ns), reporting: true, observed: true });
          if (v !== null) out.report.push({ name: it.name.name, expr: asTensor(ctx, v), span: it.span });
        }
        break;
      case 'Figure': {
        const b = d.body;
        if (b.kind !== 'Call' || b.callee.kind !== 'Name') {
          ctx.diags.push(error(Codes.wrongKind, 'a figure is a call: lines(a, b), scatter(x, y), reliability(probs, y)', b.span));
          break;
        }
        const series: string[] = [];
        const args: IRExpr[] = [];
        // a figure drawn from data without `over` is drawn on the test split, when there is one
        const test = ctx.splits.get('test');
        const base: Local = { ...localFor(d.name.name, b, ctx, p.container, p.ns), observed: true };
        const local = test === undefined ? base : { ...base, split: { data: test.data, split: 'test' } };
        const own: Diagnostic[] = [];
        const saved = ctx.diags;
        ctx.diags = own;
        for (const a of b.args) {
          const n = dotted(a.value);
          if (n !== undefined && (reported.has(n) || lookupGlobal(ctx, p.ns, n) !== undefined)) {
            series.push(n);
            continue;
          }
          const v = elab(ctx, a.value, local);
          if (v !== null) args.push(asTensor(ctx, v));
        }
        ctx.diags = saved;
        // without a test split, every bare data field of the figure is the same mistake: say it once
        const bare = own.filter((x) => x.code === Codes.fieldOutsideOver);
        ctx.diags.push(...own.filter((x) => x.code !== Codes.fieldOutsideOver));
        if (bare[0] !== undefined)
          ctx.diags.push(
            error(
              Codes.fieldOutsideOver,
              `figure '${d.name.name}' draws data fields, which a figure takes from the 'test' split, but there is no 'test' split`,
              bare[0].span,
              "add a 'test' entry to a split, or name the split of each argument: reliability(p over reg, y over reg)",
            ),
          );
        out.figures.push({ name: d.name.name, kind: b.callee.name, args, series, span: d.span });
        break;
      }
      case 'EveryDecl': {
        out.population.every = { n: d.every.amount.value, unit: d.every.unit };
        for (const a of d.actions) {
          const s = a.strategy;
          const sname = s.kind === 'Call' && s.callee.kind === 'Name' ? s.callee.name : s.kind === 'Name' ? s.name : '?';
          const nums = s.kind === 'Call' ? s.args.flatMap((x) => (x.value.kind === 'Number' ? [x.value.value] : [])) : [];
          if (a.kind === 'Explore') {
            const ex = exploreOf(ctx, s, sname);
            if (ex !== undefined) out.population.explore = ex;
          } else {
            const v = elab(ctx, a.by, localFor('exploit', a.by, ctx, p.container, p.ns));
            const inner = a.by.kind === 'Over' ? a.by.body : a.by;
            const byName = inner.kind === 'Name' ? inner.name : undefined;
            const shown = byName ?? 'M';
            if (a.direction === undefined)
              ctx.diags.push(
                error(Codes.exploitDirection, `exploit must say which members are best: by highest ${shown} or by lowest ${shown}`, a.by.span, `e.g. 'by highest val_acc' for an accuracy, 'by lowest val_ce' for a loss`),
              );
            else if (v !== null)
              out.population.exploit = { strategy: sname, args: nums, direction: a.direction, by: asTensor(ctx, v), ...(byName !== undefined ? { byName } : {}) };
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
};

export const compileProgram = (program: Program, opts: CompileOptions = {}): CompileResult => {
  const registry = opts.registry ?? standardLibrary;
  const diags: Diagnostic[] = [];
  const gathered = gatherDecls(program, opts.readFile ?? noFiles, parseProgram);
  diags.push(...gathered.diagnostics);
  const decls = gathered.decls;
  diags.push(...secondReports(decls));
  const globals = buildGlobals(decls, diags);
  evalLets(globals, opts.overrides ?? {}, diags, program.span);

  const ctx: Ctx = {
    registry,
    diags,
    globals,
    params: new ParamTable(),
    known: new ParamTable(),
    dims: new Map(),
    splits: new Map(),
    schemas: new Map(),
    stack: [],
    naming: new WeakMap(),
    sweeps: new Map(),
  };
  for (const p of decls) if (p.decl.kind === 'Sweep') ctx.sweeps.set(p.decl.variable.name, sweepValuesOf(p.decl.values, ctx));
  const top = (p: PlacedDecl, name: string, body: Expr) => localFor(name, body, ctx, p.container, p.ns);

  // data, splits, free parameters
  const data: DataDraft[] = [];
  const splits: SplitDraft[] = [];
  for (const p of decls) {
    const d = p.decl;
    if (d.kind === 'Data') {
      const r = elabData(ctx, d, top(p, d.name.name, d.source));
      if (r !== undefined) data.push(r);
    }
  }
  for (const p of decls) {
    const d = p.decl;
    if (d.kind === 'Split') {
      const r = elabSplit(ctx, d, p.container, top(p, d.data.name, d.data as unknown as Expr));
      if (r !== undefined) splits.push(r);
    }
    if (d.kind === 'Param') declareParam(ctx, d, paramPath(p, d.name.name), top(p, d.name.name, { kind: 'ErrorExpr', span: d.span }));
  }

  // Pass 1 discovers model parameters; pass 2 elaborates with all of them known. Pass 1 starts
  // from the state pass 2 starts from, except for what pass 1 itself finds: the parameters it
  // created (read only through `ctx.known`) and the data dimensions it bound. When pass 1 read
  // neither, pass 2 would repeat it step by step, so its result (and its diagnostics) stand.
  const free = [...ctx.params];
  const dimsBefore = ctx.dims.size;
  let readKnown = false;
  ctx.known = watched(new ParamTable<ParamEntry>(), () => {
    readKnown = true;
  });
  ctx.diags = [];
  const first = elaborateAll(ctx, decls);
  const firstDiags = ctx.diags;
  ctx.diags = diags;
  const passes = opts.discoveryPass === 'always' || readKnown || ctx.dims.size !== dimsBefore ? 2 : 1;
  if (passes === 1) diags.push(...firstDiags);
  else {
    ctx.known = ctx.params;
    ctx.params = new ParamTable(free);
  }
  const drafts = passes === 1 ? first : elaborateAll(ctx, decls);
  opts.onPasses?.(passes);
  checkInputLimits(program, ctx.params.values(), diags);

  // freezes, targets, partitions
  const frozen = new Set<string>();
  // `freeze S` inside a population names the population's hyper-parameters (docs/stdlib.md)
  const hyper = new Set<string>();
  const selEnv = { lookup: (n: string) => globals.get(n), params: ctx.params, diags };
  for (const p of decls) {
    if (p.decl.kind === 'Freeze')
      for (const path of selectParams(p.decl.target, selEnv) ?? []) (p.container.kind === 'population' ? hyper : frozen).add(path);
    if (p.decl.kind === 'Partition') selectParams(p.decl.target, selEnv);
  }
  for (const p of ctx.params.values()) if (p.hyper) hyper.add(p.path);
  const run = decls.find((p) => p.decl.kind === 'Run')?.decl;
  const runLength: IRDuration | undefined = run?.kind === 'Run' ? { n: run.length.amount.value, unit: run.length.unit } : undefined;
  const runBatch = run?.kind === 'Run' ? run.batch?.value : undefined;
  const batch = runBatch ?? DEFAULT_BATCH;
  const divergence = onDivergence(run?.kind === 'Run' ? run : undefined, diags);

  const checked: (CheckedRule & { draft: RuleDraft })[] = [];
  for (const r of drafts.rules) {
    const targets = selectParams(r.decl.target, selEnv);
    if (targets === undefined) continue;
    if (targets.length === 0) {
      diags.push(error(Codes.emptySelector, 'this selects no parameters', r.decl.target.span, 'a model has parameters only once it is applied in a loss or metric'));
      continue;
    }
    const lossSplits = splitsOf(r.loss);
    // the direction's batches are drawn too, so its splits are the rule's as much as the loss's are
    const splitSet = [...(r.geometry.kind === 'none' ? lossSplits : splitsOf(r.geometry.direction, new Set(lossSplits)))];
    const partDecl = r.decl.target.kind === 'Name' ? globals.get(r.decl.target.name) : undefined;
    const partition =
      partDecl?.global.kind === 'partition' ? r.decl.target.kind === 'Name' ? r.decl.target.name : 'theta' : lossSplits.has('train') ? 'theta' : lossSplits.has('reg') ? 'rho' : 'theta';
    const overBatch = (() => {
      const stack: IRExpr[] = [r.loss];
      while (stack.length > 0) {
        const e = stack.pop()!;
        if (e.kind === 'over' && e.batch > 0) return e.batch;
        stack.push(...children(e));
      }
      return undefined;
    })();
    const rule: IRRule = {
      name: r.name,
      targets,
      partition,
      optimizer: r.optimizer,
      ...(r.lossName !== undefined ? { lossName: r.lossName } : {}),
      loss: r.loss,
      splits: splitSet,
      batch: r.batch ?? overBatch ?? batch,
      schedule: r.schedule,
      geometry: r.geometry,
      allowReg: r.allowReg,
      span: r.decl.span,
    };
    const rt: RuleTargets = { name: r.name, partition, targets, geometry: r.geometry.kind, container: r.container, targetSpan: r.decl.target.span };
    checked.push({ rule, targets: rt, lossSpan: r.decl.loss.span, draft: r });
  }

  bindImplicit(checked, (path) => ctx.params.get(path)?.onSphere === true, diags);
  checkAppliedGrads(
    drafts.report,
    new Set(checked.flatMap((c) => c.rule.targets)),
    new Set(checked.flatMap((c) => (c.draft.through?.method.kind === 'implicit' ? c.rule.targets : []))),
    diags,
  );

  // parameters that rules with errors were meant to update are not also "in no partition"
  const attempted = new Set(checked.map((c) => c.draft.decl));
  const ownedByFailed = new Set<string>();
  let failedUnknown = false;
  for (const p of decls) {
    if (p.decl.kind !== 'Update' || attempted.has(p.decl)) continue;
    const paths = selectParams(p.decl.target, { ...selEnv, diags: [] });
    if (paths === undefined) failedUnknown = true;
    else paths.forEach((x) => ownedByFailed.add(x));
  }
  const allParams = [...ctx.params.values()];
  // a θ rule on 'reg' that shares parameters with a train rule is one mistake: report it once, as leakage
  const thetaOnReg = checkLeakage(checked, diags);
  const assigned = assignPartitions(
    checked.map((c) => c.targets),
    allParams.map((p) => ({
      path: p.path,
      frozen: p.frozen || frozen.has(p.path),
      hyper: hyper.has(p.path),
      ownedElsewhere: failedUnknown || ownedByFailed.has(p.path),
      span: p.span,
    })),
    diags,
    (a, b) => thetaOnReg.has(a.name) || thetaOnReg.has(b.name),
  );

  // A rule whose `through` was refused has had its error; a dead target there would be its follow-on.
  checkReachability(
    checked.filter((c) => c.draft.throughCount === 0 || c.rule.implicit !== undefined),
    (path) => ctx.params.get(path)?.role,
    diags,
  );
  const phaseLengths = new Map<number, IRDuration | undefined>();
  for (const p of decls) if (p.decl.kind === 'Phase' && p.container.kind !== 'phase') phaseLengths.set(phaseLengths.size, p.decl.length ? { n: p.decl.length.amount.value, unit: p.decl.length.unit } : runLength);
  checkSchedules(
    checked.map((c) => {
      const len = c.draft.container.kind === 'phase' ? phaseLengths.get(c.draft.container.index) : runLength;
      return { rule: c.rule.name, schedule: c.rule.schedule, spans: c.draft.scheduleSpans, ruleSpan: c.rule.span, ...(len !== undefined ? { length: len } : {}) };
    }),
    diags,
  );
  checkSplitOrder(checked, ctx.splits, diags);
  checkPhases(
    decls.flatMap((p) =>
      p.decl.kind === 'Phase' && p.container.kind !== 'phase'
        ? [{ name: p.decl.name.name, span: p.decl.name.span, ...(p.decl.length ? { length: { n: p.decl.length.amount.value, unit: p.decl.length.unit } } : {}) }]
        : [],
    ),
    runLength,
    run?.kind === 'Run' ? run.length.span : undefined,
    diags,
  );
  const scalars = [
    ...drafts.rules.flatMap((r) => [
      { what: `the loss of rule ${r.name}`, expr: r.loss },
      ...(r.geometry.kind === 'none' ? [] : [{ what: `the argument of grad(...) in rule ${r.name}`, expr: r.geometry.direction }]),
    ]),
    ...drafts.losses.map((l) => ({ what: `loss '${l.name}'`, expr: l.expr })),
    ...drafts.metrics.map((m) => ({ what: `metric '${m.name}'`, expr: m.expr })),
    ...drafts.report.map((i) => ({ what: `report item '${i.name}'`, expr: i.expr })),
  ];
  checkScalars(scalars, ctx.dims, diags);
  checkClasses(
    [...scalars.map((s) => s.expr), ...(drafts.population.exploit !== undefined ? [drafts.population.exploit.by] : [])],
    ctx.schemas,
    diags,
  );

  const grid = sweepGrid(decls, ctx.sweeps, diags);
  checkSelection(selectionsOf(decls, drafts), diags);
  // a reminder, not a mistake: said only once the program is otherwise clean
  if (run === undefined && checked.length > 0 && !hasErrors(diags))
    diags.push(
      warning(
        Codes.noRun,
        `the program has no 'run': it trains for ${DEFAULT_RUN.n} ${DEFAULT_RUN.unit} with batch ${batch}`,
        checked[0]!.rule.span,
        "say how long to train, e.g. 'run 10 epochs batch 64'",
      ),
    );
  const sorted = dedupe(sortDiagnostics(diags.filter((d) => d.message !== FOLLOW_ON)));
  if (hasErrors(sorted)) return { diagnostics: sorted };
  const irRun = { length: runLength ?? DEFAULT_RUN, batch, ...(divergence !== undefined ? { onDivergence: divergence } : {}) };
  const topK: Diagnostic[] = [];
  const ir = selectTopK(buildIR(program, decls, ctx, drafts, checked, assigned, frozen, data, splits, irRun, grid), topK, bestSpan(decls));
  const members = [...topK, ...memberErrors(ir, registry)];
  return members.length > 0 ? { diagnostics: sortDiagnostics([...sorted, ...members]) } : { ir, diagnostics: sorted };
};

/**
 * Every sweep member's constants, bound as its lowering will bind them: a layer argument that only
 * a later member makes impossible (a shape it would change, a rate out of range) is found here.
 */
const memberErrors = (ir: IRProgram, registry: Registry): Diagnostic[] => {
  const sw = ir.sweep;
  if (sw === undefined || !hasSweptConstants(ir)) return [];
  for (const m of sw.members.slice(1)) {
    const b = bindSweepMember(ir, registry, m);
    if (E.isLeft(b)) return b.left;
  }
  return [];
};

/** Where `select best K` writes K. */
const bestSpan = (decls: readonly PlacedDecl[]): Span | undefined => {
  for (const p of decls) if (p.decl.kind === 'Sweep' && p.decl.select !== undefined) return p.decl.select.best?.span ?? p.decl.select.span;
  return undefined;
};

/** What a sweep's `select` and a population's `exploit` choose by. */
const selectionsOf = (decls: readonly PlacedDecl[], drafts: Drafts): Selection[] => {
  const out: Selection[] = [];
  const named = [...drafts.metrics, ...drafts.losses, ...drafts.report];
  for (const p of decls) {
    const d = p.decl;
    if (d.kind === 'Sweep' && d.select !== undefined) {
      const name = d.select.metric.name;
      const m = named.find((x) => x.name === name);
      if (m !== undefined) out.push({ what: 'select', name, expr: m.expr, span: d.select.metric.span });
    }
    if (d.kind === 'EveryDecl') {
      const a = d.actions.find((x) => x.kind === 'Exploit');
      const ex = drafts.population.exploit;
      if (a?.kind === 'Exploit' && ex !== undefined) out.push({ what: 'exploit', name: ex.byName ?? 'its score', expr: ex.by, span: a.by.span });
    }
  }
  return out;
};

/**
 * A run logs at one interval: a second `report` would otherwise be dropped without a word (its
 * items and its interval), so it is refused where it stands, pointing at the first.
 */
const secondReports = (decls: readonly PlacedDecl[]): Diagnostic[] => {
  const reports = decls.flatMap((p) => (p.decl.kind === 'Report' ? [p.decl] : []));
  const first = reports[0];
  if (first === undefined) return [];
  return reports.slice(1).map((r) => ({
    ...error(
      Codes.twoReports,
      'a program has one report: this second one would never be logged',
      r.span,
      `add its items to the first report (one interval for all of them): report every ${first.every.amount.value} ${first.every.unit}: ${[...first.items, ...r.items].map((i) => i.name.name).join(', ')}`,
    ),
    related: [{ span: first.span, message: 'the first report' }],
  }));
};

const dedupe = (ds: readonly Diagnostic[]): Diagnostic[] => {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.span.file}|${d.span.start.offset}|${d.span.end.offset}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

const buildIR = (
  program: Program,
  decls: readonly PlacedDecl[],
  ctx: Ctx,
  drafts: Drafts,
  checked: readonly (CheckedRule & { draft: RuleDraft })[],
  assigned: { partitionOf: Map<string, string>; partitions: Record<string, string[]> },
  frozen: ReadonlySet<string>,
  data: readonly DataDraft[],
  splits: readonly SplitDraft[],
  run: IRProgram['run'],
  grid: Grid | undefined,
): IRProgram => {
  const rulesIn = (pred: (c: Container) => boolean): IRRule[] => checked.filter((c) => pred(c.draft.container)).map((c) => c.rule);
  const namedIn = (list: readonly (IRNamedExpr & { container: Container })[], kind: Container['kind']): IRNamedExpr[] =>
    list.filter((l) => l.container.kind === kind).map(({ name, expr, span }) => ({ name, expr, span }));
  const bodyOf = (kind: Container['kind']) => ({
    rules: rulesIn((c) => c.kind === kind),
    losses: namedIn(drafts.losses, kind),
    metrics: namedIn(drafts.metrics, kind),
  });
  const topBody = {
    rules: rulesIn((c) => c.kind === 'top'),
    losses: [...namedIn(drafts.losses, 'top'), ...namedIn(drafts.losses, 'phase')],
    metrics: [...namedIn(drafts.metrics, 'top'), ...namedIn(drafts.metrics, 'phase')],
  };
  const phases: IRPhase[] = [];
  for (const p of decls) {
    if (p.decl.kind !== 'Phase') continue;
    const index = phases.length;
    phases.push({
      name: p.decl.name.name,
      ...(p.decl.length !== undefined ? { length: { n: p.decl.length.amount.value, unit: p.decl.length.unit } } : {}),
      rules: rulesIn((c) => c.kind === 'phase' && c.index === index),
    });
  }
  const params = [...ctx.params.values()]
    .map((p: ParamEntry) => ({
      path: p.path,
      shape: p.shape,
      init: p.init,
      role: p.role,
      partition: assigned.partitionOf.get(p.path) ?? 'frozen',
      onSphere: p.onSphere,
      frozen: p.frozen || frozen.has(p.path),
      span: p.span,
    }))
    .sort((a, b) => textOrder(a.path, b.path));
  const seedDecl = decls.find((p) => p.decl.kind === 'Seed')?.decl;
  const report = decls.find((p) => p.decl.kind === 'Report')?.decl;
  const ensemble = decls.find((p) => p.decl.kind === 'Ensemble')?.decl;
  const population = decls.find((p) => p.decl.kind === 'Population')?.decl;
  return {
    file: program.file,
    seed: seedDecl?.kind === 'Seed' ? seedDecl.value.value : 0,
    data: data.map((d) => toIRData(d, splits)),
    params,
    partitions: assigned.partitions,
    ...topBody,
    run,
    ...(report?.kind === 'Report' ? { report: { every: { n: report.every.amount.value, unit: report.every.unit }, items: drafts.report } } : {}),
    figures: drafts.figures,
    phases,
    ...(grid === undefined ? {} : { sweep: { ...grid, body: bodyOf('sweep') } }),
    ...(ensemble?.kind === 'Ensemble'
      ? { ensemble: { size: ensemble.size.value, ...(ensemble.alias !== undefined ? { alias: ensemble.alias.name } : {}), body: bodyOf('ensemble') } }
      : {}),
    ...(population?.kind === 'Population'
      ? {
          population: {
            size: population.size.value,
            hyper: params.filter((p) => p.partition === 'hyper').map((p) => p.path),
            body: bodyOf('population'),
            ...drafts.population,
          },
        }
      : {}),
  };
};

/** Sweep values: a constant list or range (`logspace(-3, 1, 1000)`, `[0.1, 1]`, a `let`). */
const sweepValuesOf = (e: Expr, ctx: Ctx): number[] => {
  const r = evalConst(e, constLookup(ctx, { vars: new Map(), ns: '', prefix: '', names: new Map(), declName: 'sweep', container: { kind: 'top' } }));
  if (E.isLeft(r)) {
    ctx.diags.push(r.left);
    return [];
  }
  const v = r.right;
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : typeof v === 'number' ? [v] : [];
};

/** Parses and compiles a program text. */
export const compileText = (text: string, file: string, opts: CompileOptions = {}): CompileResult => {
  const parsed = parseProgram(text, file);
  const parseDiags = [...parsed.diagnostics];
  if (hasErrors(parseDiags)) return { diagnostics: sortDiagnostics(parseDiags) };
  const r = compileProgram(parsed.program, opts);
  return { ...r, diagnostics: sortDiagnostics([...parseDiags, ...r.diagnostics]) };
};

export { type IRProgram } from './ir.js';

/** `applied_grad(p)` of a parameter that no rule updates would log zeros forever. */
const checkAppliedGrads = (items: readonly IRNamedExpr[], updated: ReadonlySet<string>, solved: ReadonlySet<string>, diags: Diagnostic[]): void => {
  const walk = (e: IRExpr): void => {
    if (e.kind === 'appliedGrad' && e.residual === true && updated.has(e.path) && !solved.has(e.path))
      diags.push(
        error(
          Codes.residualNoSolve,
          `solver_residual(${e.path}): the rule that updates '${e.path}' solves no linear system, so there is no residual to log`,
          e.span,
          "only 'through F' (the implicit form) solves one; 'through F for K steps' and plain rules do not",
        ),
      );
    else if (e.kind === 'appliedGrad' && !updated.has(e.path))
      diags.push(
        error(Codes.appliedGradNoRule, `applied_grad(${e.path}): no update rule changes '${e.path}', so no gradient is ever applied to it`, e.span, 'log a parameter some rule updates (frozen parameters and population hyper-parameters have no applied gradient)'),
      );
    children(e).forEach(walk);
  };
  items.forEach((i) => walk(i.expr));
};

/**
 * `through LOSS`: the inner parameters are those other rules in the same phase fit on LOSS. Refused
 * (E0515): two `through`, a geometry on the rule or on a rule fitting them, LOSS the rule's own
 * loss, no such rule, a fitted parameter on the sphere; LOSS over `test` is E0501 (it shapes this
 * rule's gradient).
 */
const bindImplicit = (checked: { rule: IRRule; draft: RuleDraft }[], onSphere: (path: string) => boolean, diags: Diagnostic[]): void => {
  const bad = (m: string, span: Span, hint: string): void => void diags.push(error(Codes.badThrough, m, span, hint));
  // Rules in different phases never run together; rules outside phases run with each other.
  const together = (a: Container, b: Container): boolean => (a.kind === 'phase' || b.kind === 'phase' ? a.kind === 'phase' && b.kind === 'phase' && a.index === b.index : true);
  for (const c of checked) {
    const t = c.draft.through;
    if (t === undefined) continue;
    if (c.draft.throughCount > 1) {
      bad(`a rule differentiates through one loss: 'through' is written ${c.draft.throughCount} times`, t.span, 'keep one through clause');
      continue;
    }
    if (c.rule.geometry.kind !== 'none') {
      bad(`'through ${t.lossName}' cannot be combined with '${c.rule.geometry.kind === 'along' ? 'along' : 'orthogonal to'}'`, t.span, 'the implicit gradient is the whole update direction');
      continue;
    }
    if (c.rule.lossName === t.lossName) {
      bad(`'through ${t.lossName}' on a rule whose own loss is '${t.lossName}': at its minimizer the total derivative is the partial one`, t.span, 'differentiate the regularization loss through the training loss: on gen through fit');
      continue;
    }
    const own = new Set(c.rule.targets);
    const fitters = checked.filter((o) => o !== c && o.rule.lossName === t.lossName && together(o.draft.container, c.draft.container));
    const inner = [...new Set(fitters.flatMap((o) => o.rule.targets))].filter((p) => !own.has(p));
    if (inner.length === 0) {
      bad(`'through ${t.lossName}': no other rule in the same phase fits parameters on '${t.lossName}'`, t.span, `write a rule such as 'update beta by sgd(lr: 0.1) on ${t.lossName}'`);
      continue;
    }
    const shaped = fitters.find((o) => o.rule.geometry.kind !== 'none');
    if (shaped !== undefined) {
      bad(`'through ${t.lossName}': rule ${shaped.rule.name} fits on '${t.lossName}' with a geometry, so its parameters do not minimize '${t.lossName}'`, t.span, 'the implicit gradient needs the inner parameters at a minimizer of the loss');
      continue;
    }
    const sphere = inner.find(onSphere);
    if (sphere !== undefined) {
      bad(`'through ${t.lossName}': '${sphere}' is on the sphere, and the implicit gradient is for unconstrained parameters`, t.span, 'write the norm as a penalty weight instead (see ridge_implicit.xreg)');
      continue;
    }
    if (splitsOf(t.loss).has('test')) {
      diags.push(error(Codes.testLeak, `test data reaches training: '${t.lossName}', which this rule differentiates through, ranges over test`, t.span, 'fit the inner parameters on train'));
      continue;
    }
    // The rate each inner parameter is fitted at: the unrolled form's step and the Neumann series' scale.
    const lrOf = (p: string): number | undefined => {
      const lr = fitters.find((o) => o.rule.targets.includes(p))?.rule.optimizer.options['lr'];
      return typeof lr === 'number' ? lr : undefined;
    };
    const innerLr = inner.map(lrOf);
    const m = t.method;
    const needsLr = (m.kind === 'unrolled' && m.lr === undefined) || (m.kind === 'implicit' && m.solver === 'neumann' && m.scale === undefined);
    const unknown = inner.find((_, i) => innerLr[i] === undefined);
    if (needsLr && unknown !== undefined) {
      diags.push(
        error(Codes.badThroughOption, `'through ${t.lossName}': the rule fitting '${unknown}' has no constant learning rate to step with`, t.span, m.kind === 'unrolled' ? 'give one: through fit(lr: 0.1) for 1 step' : 'give one: through fit(solver: "neumann", scale: 0.1)'),
      );
      continue;
    }
    c.rule = { ...c.rule, implicit: { lossName: t.lossName, loss: t.loss, inner, method: m, innerLr: innerLr.map((x) => x ?? 0) } };
  }
};
