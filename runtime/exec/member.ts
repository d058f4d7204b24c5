/** One member's training: steps over a range, report records, threading state and cursors. */
import type { IRDuration } from '../../compiler/ir.js';
import type { LoweredObservable, LoweredProgram, LoweredRule, RunState } from '../../compiler/lower/types.js';
import { mixSeeds } from '../../stdlib/data/random.js';
import { drawBatches, type BatchCache, type Cursors } from './batches.js';
import type { PreparedData } from './data.js';
import { epochOf, fires, phaseAt, reportDue, type Clock, type Timing } from './schedule.js';
import { releaseOld } from '../../compiler/lower/release.js';
import type { Scope } from '../ensemble-parts.js';
import { locatedIn, ReportFailure } from './failure.js';
import { formatSpan } from '../../dsl/span.js';
import { divergenceOf, type FiniteCheck, finiteCheck, firstNonFinite, lossDivergence, type Divergence } from './diverge.js';

/**
 * A sweep member's values as records, checkpoints and summaries carry them: `sweepValue` for a
 * one-variable sweep (as before grids), `sweepValues` (each variable's) for a grid of nested sweeps.
 */
export interface SweepFields {
  readonly sweepValue?: number;
  readonly sweepValues?: Readonly<Record<string, number>>;
}

export const sweepFields = (s: SweepFields): SweepFields => ({
  ...(s.sweepValue !== undefined ? { sweepValue: s.sweepValue } : {}),
  ...(s.sweepValues !== undefined ? { sweepValues: s.sweepValues } : {}),
});

/** The fields of a member of a sweep over `values` (one variable or several). */
const ofMember = (values: Readonly<Record<string, number>> | undefined): SweepFields => {
  const entries = Object.entries(values ?? {});
  const [only] = entries;
  return entries.length === 1 && only !== undefined ? { sweepValue: only[1] } : entries.length > 1 ? { sweepValues: values } : {};
};

export interface MemberState extends SweepFields {
  readonly index: number;
  readonly seed: number;
  readonly state: RunState;
  readonly cursors: Cursors;
}

export interface ReportRecord extends SweepFields {
  readonly step: number;
  readonly epoch: number;
  readonly member?: number;
  /** Sweeps and populations: the member's seed, and a sweep member's value of the sweep variable. */
  readonly memberSeed?: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface RunContext {
  readonly program: LoweredProgram;
  readonly data: PreparedData;
  /** How many steps each epoch has (compiler/lower/clock.ts): epochs are passes over the data in use. */
  readonly clock: Clock;
  readonly total: number;
  readonly report: { readonly every: IRDuration; readonly items: readonly LoweredObservable[] };
  /** Whether records carry a member index (sweeps, populations). */
  readonly multi: boolean;
  /** Whole-split observables see at most this many examples (see `evalSubset`). */
  readonly evalLimit?: number;
  /** The run's whole-split batches for observing, shared by its members and reports (batches.ts). */
  readonly evalBatches?: BatchCache;
  /** Look for non-finite parameters after every update (off once a run chose to go on past one). */
  readonly watchFinite?: boolean;
  /**
   * An ensemble's members trained in parts (runtime/ensemble-parts.ts): the rules and report items
   * of this part. The others keep their places (random keys, batches drawn) but do not run.
   */
  readonly scope?: Scope;
}

export interface StepHooks {
  readonly onStep?: (m: MemberState) => void;
  readonly onReport?: (r: ReportRecord) => void;
  /** After each report: the member and the values its state alone decides (`Evaluated.exact`). */
  readonly onExact?: (m: MemberState, exact: ReadonlyMap<LoweredObservable, number>) => void;
  /** Checked after every step; true stops the run there (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Called after every step (the loop saves checkpoints here). */
  readonly afterStep?: (m: MemberState) => Promise<void>;
  /** A parameter became non-finite: true stops the member there (the default), false goes on. */
  readonly onDiverge?: (d: Divergence) => boolean;
}

/** The rules that fire at `step`, in program order: the run-wide ones, then the active phase's. */
export const firingRules = (p: LoweredProgram, step: number, clock: Timing): LoweredRule[] => {
  const out = p.rules.filter((r) => fires(r.ir.schedule, step, clock));
  const ph = phaseAt(p.phases, step, clock);
  if (ph !== undefined) {
    const phase = p.phases[ph.index];
    if (phase !== undefined) out.push(...phase.rules.filter((r) => fires(r.ir.schedule, step, clock, ph.start)));
  }
  return out;
};

/** The random key of rule `rule` at `step`: a hash, so that a resumed run draws the same noise. */
export const stepKey = (seed: number, step: number, rule: number): number => mixSeeds(seed, step, rule) | 0;

/** One step of one member: every firing rule in order, batches disposed, step advanced. */
export const runStep = (
  ctx: RunContext,
  m: MemberState,
): { member: MemberState; fired: readonly LoweredRule[]; checks: readonly { readonly rule: LoweredRule; readonly check: FiniteCheck }[] } => {
  const s = m.state.step;
  const rules = firingRules(ctx.program, s, ctx.clock);
  const drawn = drawBatches(rules.map((r) => r.needs), ctx.data, m.cursors, m.seed, epochOf(s, ctx.clock), 'train');
  let state = m.state;
  const checks: { rule: LoweredRule; check: FiniteCheck }[] = [];
  try {
    rules.forEach((r, i) => {
      if (ctx.scope !== undefined && !ctx.scope.rule(r)) return;
      const next = locatedIn(r, () => r.step(state, drawn.batches[i] ?? {}, stepKey(m.seed, s, i)));
      const check = ctx.watchFinite !== false ? finiteCheck(state, next) : undefined;
      if (check !== undefined) checks.push({ rule: r, check });
      releaseOld(state, next);
      state = next;
    });
  } finally {
    drawn.dispose();
  }
  return { member: { ...m, state: { ...state, step: s + 1 }, cursors: drawn.cursors }, fired: rules, checks };
};

/** The first rule of the step that left a parameter non-finite (read back asynchronously); disposes every check. */
const divergenceIn = async (ctx: RunContext, m: MemberState, step: number, checks: readonly { readonly rule: LoweredRule; readonly check: FiniteCheck }[]): Promise<Divergence | undefined> => {
  let found: Divergence | undefined;
  for (const { rule, check } of checks) {
    const bad = await firstNonFinite(check);
    if (found === undefined && bad !== undefined) found = { ...divergenceOf(rule, step, bad), ...(ctx.multi ? { member: m.index } : {}) };
  }
  return found;
};

/** The batches of a report at `m` (each item's, drawn from the member's eval cursors). */
const reportBatches = (ctx: RunContext, m: MemberState) =>
  drawBatches(ctx.report.items.map((o) => o.needs), ctx.data, m.cursors, m.seed, epochOf(m.state.step, ctx.clock), 'eval', ctx.evalLimit, ctx.evalBatches);

/** The random key of report item `i` at `m`'s step. */
const reportKey = (m: MemberState, i: number): number => mixSeeds(m.seed, m.state.step, 0x7e9047, i) | 0;

/**
 * Where the reported loss `loss` stopped being finite: the report evaluated again for that item
 * alone, from the same cursors and key, with every node's value checked. Once per divergence; a
 * failure to find it is no reason to fail the run.
 */
const firstNonFiniteIn = async (ctx: RunContext, m: MemberState, loss: string): Promise<Divergence['first']> => {
  const i = ctx.report.items.findIndex((o) => o.name === loss);
  const locate = ctx.report.items[i]?.firstNonFinite;
  if (locate === undefined) return undefined;
  const drawn = reportBatches(ctx, m);
  try {
    const f = await locate(m.state, drawn.batches[i] ?? {}, reportKey(m, i));
    return f === undefined ? undefined : { what: f.what, at: formatSpan(f.span) };
  } catch {
    return undefined;
  } finally {
    drawn.dispose();
  }
};

/** A report's values at a member's state, and those of them that the state alone decides. */
export interface Evaluated {
  readonly values: Record<string, number>;
  readonly cursors: Cursors;
  /**
   * The values of items that read whole splits only (no cursor) and drew nothing random (no key):
   * evaluated again at the same state, from any cursors and under any key, each comes out the same.
   */
  readonly exact: ReadonlyMap<LoweredObservable, number>;
}

/** Values of the report items at the member's current state; helper states advanced by observing are dropped. */
export const evaluateReport = async (ctx: RunContext, m: MemberState): Promise<Evaluated> => {
  const drawn = reportBatches(ctx, m);
  const values: Record<string, number> = {};
  const exact = new Map<LoweredObservable, number>();
  try {
    for (const [i, o] of ctx.report.items.entries()) {
      if (ctx.scope !== undefined && !ctx.scope.item(o)) continue;
      const r = await o.evaluateAsync(m.state, drawn.batches[i] ?? {}, reportKey(m, i));
      releaseOld(r.state, m.state);
      values[o.name] = r.value;
      if (r.random === false && o.needs.every((n) => n.batch === 'all')) exact.set(o, r.value);
    }
  } finally {
    drawn.dispose();
  }
  return { values, cursors: drawn.cursors, exact };
};

export const makeRecord = (ctx: RunContext, m: MemberState, values: Readonly<Record<string, number>>): ReportRecord => ({
  step: m.state.step,
  epoch: epochOf(m.state.step, ctx.clock),
  ...(ctx.multi ? { member: m.index, memberSeed: m.seed, ...sweepFields(m) } : {}),
  values,
});

export type StopReason = 'done' | 'stopped' | 'diverged';

/** Lets signal handlers (Ctrl-C) run between steps: a synchronous loop would never yield to them. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs `m` until `state.step === to`, emitting a record whenever a report is due and at the run's
 * last step; stops early, between two steps, when `shouldStop` says so.
 */
export const runMember = async (
  ctx: RunContext,
  start: MemberState,
  to: number,
  hooks: StepHooks,
): Promise<{ member: MemberState; reason: StopReason; divergence?: Divergence }> => {
  let m = start;
  let watch = ctx;
  while (m.state.step < to) {
    const before = m.state.step;
    const stepped = runStep(watch, m);
    m = stepped.member;
    const diverged = await divergenceIn(watch, m, before + 1, stepped.checks);
    if (diverged !== undefined) {
      if (hooks.onDiverge?.(diverged) ?? true) return { member: m, reason: 'diverged', divergence: diverged };
      // Going on: one warning is enough, and the check costs a read per step.
      watch = { ...ctx, watchFinite: false };
    }
    const done = m.state.step;
    if (ctx.report.items.length > 0 && (reportDue(ctx.report.every, done, ctx.clock) || done === ctx.total)) {
      const pre = m;
      const r = await evaluateReport(ctx, m).catch((e: unknown) => {
        throw new ReportFailure(done, e);
      });
      m = { ...m, cursors: r.cursors };
      hooks.onReport?.(makeRecord(ctx, m, r.values));
      hooks.onExact?.(m, r.exact);
      const bad = watch.watchFinite !== false ? lossDivergence(ctx.program.rules, r.values, ctx.program.losses.map((l) => l.name), done) : undefined;
      if (bad !== undefined) {
        const first = bad.loss !== undefined ? await firstNonFiniteIn(ctx, pre, bad.loss) : undefined;
        const d = { ...bad, ...(first !== undefined ? { first } : {}), ...(ctx.multi ? { member: m.index } : {}) };
        if (hooks.onDiverge?.(d) ?? true) return { member: m, reason: 'diverged', divergence: d };
        watch = { ...ctx, watchFinite: false };
      }
    }
    hooks.onStep?.(m);
    await hooks.afterStep?.(m);
    await yieldToEventLoop();
    if (hooks.shouldStop?.() === true && m.state.step < ctx.total) return { member: m, reason: 'stopped' };
  }
  return { member: m, reason: 'done' };
};

export const freshMember = (p: LoweredProgram, index: number, seed: number, sweep?: Readonly<Record<string, number>>): MemberState => ({
  index,
  seed,
  ...ofMember(sweep),
  state: p.init(seed),
  cursors: {},
});
