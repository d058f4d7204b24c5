/**
 * The executor: trains every member of a program (one model, a sweep or a population), emits report
 * records, saves checkpoints and stops cleanly when asked. An ensemble arrives unrolled by lowering
 * (`LoweredProgram.members`): it is one model here, its members' parameters side by side.
 */
import type { LoweredObservable, LoweredProgram, RunState } from '../../compiler/lower/types.js';
import type { IRDuration } from '../../compiler/ir.js';
import { mixSeeds } from '../../stdlib/data/random.js';
import type { PreparedData } from './data.js';
import * as E from 'fp-ts/lib/Either.js';
import { ensembleState, keepBest, type Kept, type TopResult } from './top-k.js';
import { evaluateReport, freshMember, runMember, sweepFields, type MemberState, type ReportRecord, type RunContext } from './member.js';
import { exploitExplore, type ExploitEvent, type PbtOptions } from './pbt.js';
import { finalSpe } from '../../compiler/lower/clock.js';
import { fires, nextFiring, runClock, totalSteps, type Clock, type LengthOverride } from './schedule.js';
import type { FinishedMember, Mode, Snapshot } from './snapshot.js';
import { disposeState } from './state.js';
import { describeDivergence, type Divergence } from './diverge.js';
import type { Scope } from '../ensemble-parts.js';
import { batchCache, type BatchCache } from './batches.js';

export interface ExecOptions {
  readonly seed: number;
  readonly length?: LengthOverride;
  /** Save a checkpoint every this many steps of a member (0: only when stopped); a completed run is always saved at its end. */
  readonly checkpointEvery: number;
  readonly resume?: Snapshot;
  readonly save?: (s: Snapshot) => Promise<void>;
  /**
   * A sweep with `select`: called with the member that is the best so far, as it finishes (live in
   * the snapshot, the members before it finished), so the selected model's parameters are kept.
   */
  readonly saveSelected?: (s: Snapshot) => Promise<void>;
  readonly onReport?: (r: ReportRecord) => void;
  /** A population member copied another (one line of metrics.jsonl, counted with the records). */
  readonly onExploit?: (e: ExploitEvent) => void;
  readonly onStep?: (m: MemberState, info: StepInfo) => void;
  readonly shouldStop?: () => boolean;
  /** Whole-split observables see at most this many examples (a fixed seeded subset); absent: all. */
  readonly evalLimit?: number;
  /**
   * The lowered program of sweep member `i` (lowering binds the sweep variable's value); when absent
   * every member runs `program`.
   */
  readonly programFor?: (i: number) => E.Either<string, LoweredProgram>;
  /** `select best K ... as NAME`: the lowered ensemble of K over which the metrics reading NAME(e) are evaluated. */
  readonly lowerTop?: (k: number) => E.Either<string, LoweredProgram>;
  /**
   * A sweep run in parts (`--member`, `--shard`): the indices of the members this run trains, in
   * order; absent: all of them. Each member depends only on its index, so parts merge exactly.
   */
  readonly only?: readonly number[];
  /**
   * A population trained in parts (`only`): the exploit among all members, on other machines too.
   * Given this part's members and their scores at step `at`, resolves to them after the exploit
   * (replaced members copied from the best ones) and the copies made here; undefined when the run
   * was stopped while waiting for the others.
   */
  readonly exchange?: Exchange;
  /**
   * A parameter became NaN or infinite: absent or returning true ends the run as diverged (its
   * last checkpoint is not overwritten); false goes on (the program or user asked to).
   */
  readonly onDiverge?: (d: Divergence) => boolean;
  /** false: no check for non-finite parameters after each update (bench/faults measures its cost). */
  readonly watchFinite?: boolean;
  /**
   * A seed list (`--seeds`): member `i` is the program trained from `seeds[i]` instead of `seed`,
   * exactly as a run with that seed would train it (runtime/seeds.ts).
   */
  readonly seeds?: readonly number[];
  /** An ensemble trained in parts (`only` its members): the rules and report items of this part. */
  readonly scope?: Scope;
}

/** What a step hook learns about the run: `spe` is the full split's epoch length, `clock` every epoch's. */
export interface StepInfo {
  readonly total: number;
  readonly members: number;
  readonly spe: number;
  readonly clock: Clock;
}

export type Exchange = (
  at: number,
  mine: readonly MemberState[],
  scores: readonly number[],
  o: PbtOptions,
) => Promise<{ readonly members: readonly MemberState[]; readonly events: readonly ExploitEvent[] } | undefined>;

export interface ExecResult {
  readonly outcome: 'completed' | 'interrupted' | 'failed' | 'diverged';
  readonly error?: string;
  /** Where the run diverged (outcome `diverged`). */
  readonly divergence?: Divergence;
  readonly mode: Mode;
  readonly total: number;
  readonly stepsPerEpoch: number;
  readonly members: readonly FinishedMember[];
  /** Sweep with `select`: the index of the chosen member. */
  readonly selected?: number;
  /** The state each member ended in (the caller disposes them); in a sweep only the last member's. */
  readonly states: readonly RunState[];
  readonly records: number;
  /** Population: every exploit of the run (a resumed run's included). */
  readonly exploits?: readonly ExploitEvent[];
  readonly seconds: number;
  readonly stepsRun: number;
  /** The final checkpoint of a completed run could not be written (training itself completed). */
  readonly finalSaveError?: string;
  /** `select best K by ...`: the K best members, best first, and the metrics of their ensemble. */
  readonly top?: TopResult;
}

export interface Selection {
  readonly metric: string;
  readonly direction: 'lowest' | 'highest';
}

/** The member a sweep's `select` chooses among those finished (NaN values never win). */
export const selectBest = (ir: LoweredProgram['ir'], finished: readonly FinishedMember[]): number | undefined => {
  const sel = ir.sweep?.select;
  return sel === undefined ? undefined : chooseMember(sel, finished);
};

/** The first finished member with the lowest (highest) final value of the metric; NaN never wins. */
export const chooseMember = (sel: Selection, finished: readonly FinishedMember[]): number | undefined => {
  let selected: number | undefined;
  let bestV = NaN;
  for (const f of finished) {
    const v = f.final[sel.metric];
    if (v === undefined || Number.isNaN(v)) continue;
    if (selected === undefined || (sel.direction === 'lowest' ? v < bestV : v > bestV)) {
      selected = f.index;
      bestV = v;
    }
  }
  return selected;
};

export const modeOf = (p: LoweredProgram): Mode =>
  p.ir.population !== undefined ? 'population' : p.ir.sweep !== undefined ? 'sweep' : p.members !== undefined || p.ir.ensemble !== undefined ? 'ensemble' : 'single';

/** How many members the executor trains: sweep values or population size; an unrolled ensemble is one model. */
export const memberCount = (p: LoweredProgram): number => {
  const mode = modeOf(p);
  return mode === 'sweep' ? (p.ir.sweep?.members.length ?? 1) : mode === 'population' ? (p.ir.population?.size ?? 1) : 1;
};

const byName = (p: LoweredProgram, name: string): LoweredObservable | undefined =>
  p.reports.find((o) => o.name === name) ?? p.losses.find((o) => o.name === name) ?? p.metrics.find((o) => o.name === name);

/**
 * What figures add to a report: the series they draw that the report does not already log (a
 * named loss or metric, a parameter's value), so every `lines` figure has a point at each report.
 */
const figureItems = (p: LoweredProgram, items: readonly LoweredObservable[]): LoweredObservable[] => {
  const have = new Set(items.map((o) => o.name));
  const out: LoweredObservable[] = [];
  const push = (o: LoweredObservable | undefined): void => {
    if (o === undefined || have.has(o.name)) return;
    have.add(o.name);
    out.push(o);
  };
  for (const f of p.figures) {
    const own = new Map(f.observables.map((o) => [o.name, o]));
    for (const s of f.series) push(own.get(s) ?? byName(p, s));
  }
  return out;
};

/**
 * What each report shows: the `report` items (named losses and metrics resolved), else every loss
 * and metric; then the series of the program's figures not among them.
 */
export const reportPlan = (p: LoweredProgram, total: number): { every: IRDuration; items: LoweredObservable[] } => {
  const r = p.ir.report;
  if (r === undefined) {
    const items = [...p.losses, ...p.metrics, ...p.reports];
    return { every: { n: Math.max(1, Math.floor(total / 10)), unit: 'steps' }, items: [...items, ...figureItems(p, items)] };
  }
  const items = r.items.map((it) => byName(p, it.name)).filter((o): o is LoweredObservable => o !== undefined);
  // A sweep's `select` metric must be observed even if the report does not list it.
  const sel = p.ir.sweep?.select?.metric;
  if (sel !== undefined && !items.some((o) => o.name === sel)) {
    const o = byName(p, sel);
    if (o !== undefined) items.push(o);
  }
  return { every: r.every, items: [...items, ...figureItems(p, items)] };
};

/** Seed of member `i`: the run seed for the first, an unrelated stream for the others. */
export const memberSeed = (seed: number, i: number): number => (i === 0 ? seed : mixSeeds(seed, 0xe5e, i));

/**
 * Which way is better, for the values the program says it of: losses are minimized; a sweep's
 * `select` and a population's `exploit` metric go the way they are written. No name is guessed at.
 */
export const directions = (p: LoweredProgram): ReadonlyMap<string, 'lowest' | 'highest'> => {
  const out = new Map<string, 'lowest' | 'highest'>();
  for (const l of [...p.ir.losses, ...p.losses]) out.set(l.name, 'lowest');
  const sel = p.ir.sweep?.select;
  if (sel !== undefined) out.set(sel.metric, sel.direction);
  const ex = p.ir.population?.exploit;
  if (ex?.byName !== undefined) out.set(ex.byName, ex.direction);
  return out;
};

const track = (
  stats: Record<number, { final: Record<string, number>; best: Record<string, number> }>,
  r: ReportRecord,
  member: number,
  better: ReadonlyMap<string, 'lowest' | 'highest'>,
): void => {
  const s = (stats[member] ??= { final: {}, best: {} });
  for (const [k, v] of Object.entries(r.values)) {
    s.final[k] = v;
    const dir = better.get(k);
    if (dir === undefined) continue;
    const b = s.best[k];
    if (b === undefined || Number.isNaN(b) || (dir === 'lowest' ? v < b : v > b)) s.best[k] = v;
  }
};

/** Trains the program's members; the whole-split batches its reports share live as long as the run. */
export const execute = async (program: LoweredProgram, data: PreparedData, o: ExecOptions): Promise<ExecResult> => {
  const evalBatches = batchCache();
  try {
    return await executeWith(program, data, o, evalBatches);
  } finally {
    evalBatches.dispose();
  }
};

const executeWith = async (program: LoweredProgram, data: PreparedData, o: ExecOptions, evalBatches: BatchCache): Promise<ExecResult> => {
  const started = Date.now();
  const ir = program.ir;
  const clock = runClock(data.main.size, ir.run.batch, data.growth[data.main.key]);
  const spe = finalSpe(clock);
  const total = o.resume?.total ?? totalSteps(ir.run.length, clock, o.length);
  const mode: Mode = o.seeds !== undefined ? 'seeds' : modeOf(program);
  const plan = reportPlan(program, total);
  const ctx: RunContext = {
    program,
    data,
    clock,
    total,
    report: plan,
    multi: mode === 'sweep' || mode === 'population' || mode === 'seeds',
    evalBatches,
    ...(o.evalLimit !== undefined ? { evalLimit: o.evalLimit } : {}),
    ...(o.watchFinite === false ? { watchFinite: false } : {}),
    ...(o.scope !== undefined ? { scope: o.scope } : {}),
  };
  const better = directions(program);
  const count = o.seeds?.length ?? memberCount(program);
  const programOf = (i: number): E.Either<string, LoweredProgram> => (o.programFor === undefined ? E.right(program) : o.programFor(i));
  const makeMember = (p: LoweredProgram, i: number): MemberState => {
    const sw = ir.sweep;
    const seed = mode === 'population' ? memberSeed(o.seed, i) : mode === 'seeds' ? (o.seeds?.[i] ?? o.seed) : o.seed;
    return freshMember(p, i, seed, mode === 'sweep' ? sw?.members[i] : undefined);
  };

  let records = o.resume?.records ?? 0;
  let stepsRun = 0;
  const stats: Record<number, { final: Record<string, number>; best: Record<string, number> }> = structuredClone(
    (o.resume?.liveStats ?? {}) as Record<number, { final: Record<string, number>; best: Record<string, number> }>,
  );
  const finished: FinishedMember[] = [...(o.resume?.finished ?? [])];
  let live: MemberState[] = [...(o.resume?.live ?? [])];
  let exploitedAt = o.resume?.exploitedAt ?? 0;
  const exploits: ExploitEvent[] = [...(o.resume?.exploits ?? [])];

  const snapshot = (): Snapshot => ({ mode, total, live, finished, liveStats: stats, records, exploitedAt, ...(mode === 'population' ? { exploits: [...exploits] } : {}) });
  const save = async (): Promise<void> => {
    if (o.save !== undefined) await o.save(snapshot());
  };
  // A failed save after training (a full disk) costs the checkpoint, not the finished run.
  let finalSaveError: string | undefined;
  const saveAfterTraining = async (write: () => Promise<void>, what = ''): Promise<void> => {
    try {
      await write();
    } catch (e) {
      finalSaveError = `${what}${e instanceof Error ? e.message : String(e)}`;
    }
  };
  /**
   * A population member's last report, by member: the state it was made at and the values that
   * state alone decides, so that an exploit at the same step uses them instead of evaluating again.
   */
  const reported = new Map<number, { readonly state: RunState; readonly exact: ReadonlyMap<LoweredObservable, number> }>();
  const hooksFor = (slot: number) => ({
    ...(mode === 'population' ? { onExact: (m: MemberState, exact: ReadonlyMap<LoweredObservable, number>) => void reported.set(m.index, { state: m.state, exact }) } : {}),
    onReport: (r: ReportRecord) => {
      records++;
      track(stats, r, r.member ?? 0, better);
      o.onReport?.(r);
    },
    onStep: (m: MemberState) => {
      stepsRun++;
      o.onStep?.(m, { total, members: count, spe, clock });
    },
    afterStep: async (m: MemberState) => {
      live[slot] = m;
      if (o.checkpointEvery > 0 && m.state.step % o.checkpointEvery === 0 && m.state.step < total) await save();
    },
    ...(o.shouldStop !== undefined ? { shouldStop: o.shouldStop } : {}),
    ...(o.onDiverge !== undefined ? { onDiverge: o.onDiverge } : {}),
  });
  const finishedOf = (m: MemberState): FinishedMember => {
    const s = stats[m.index] ?? { final: {}, best: {} };
    return { index: m.index, seed: m.seed, ...sweepFields(m), final: s.final, best: s.best };
  };
  const finish = (m: MemberState): FinishedMember => {
    const f = finishedOf(m);
    delete stats[m.index];
    return f;
  };
  const result = (outcome: ExecResult['outcome'], states: RunState[], error?: string, divergence?: Divergence): ExecResult => {
    const selected = outcome === 'completed' ? selectBest(ir, finished) : undefined;
    return {
      outcome,
      ...(error !== undefined ? { error } : {}),
      ...(divergence !== undefined ? { divergence } : {}),
      mode,
      total,
      stepsPerEpoch: spe,
      members: finished,
      ...(selected !== undefined ? { selected } : {}),
      states,
      records,
      ...(mode === 'population' ? { exploits } : {}),
      seconds: (Date.now() - started) / 1000,
      stepsRun,
      ...(finalSaveError !== undefined ? { finalSaveError } : {}),
    };
  };

  /** The K best members by the select metric, and their ensemble's metrics when this run trained them all. */
  const topOf = async (sel: NonNullable<NonNullable<typeof ir.sweep>['select']>, k: number, kept: readonly Kept[], whole: boolean): Promise<TopResult> => {
    const ranked = finished
      .filter((f) => !Number.isNaN(f.final[sel.metric] ?? Number.NaN))
      .sort((a, b) => ((a.final[sel.metric] ?? 0) - (b.final[sel.metric] ?? 0)) * (sel.direction === 'lowest' ? 1 : -1))
      .slice(0, k)
      .map((f) => f.index);
    const release = (): void => kept.forEach((c) => Object.values(c.params).forEach((t) => t.dispose()));
    if (sel.after === undefined || sel.after.length === 0 || o.lowerTop === undefined) {
      release();
      return { members: ranked };
    }
    if (!whole) {
      release();
      return { members: ranked, note: `the ensemble of the selected members is evaluated only by a run that trains every member in one process, without --resume (its metrics: ${sel.after.map((m) => m.name).join(', ')})` };
    }
    const lowered = o.lowerTop(kept.length);
    if (E.isLeft(lowered)) {
      release();
      return { members: ranked, note: lowered.left };
    }
    const state = ensembleState(lowered.right, kept, o.seed);
    try {
      const r = await evaluateReport({ ...ctx, program: lowered.right, multi: false, report: { every: plan.every, items: lowered.right.metrics } }, { index: 0, seed: o.seed, state, cursors: {} });
      return { members: kept.map((c) => c.index), values: r.values };
    } finally {
      disposeState(state);
    }
  };

  if (mode !== 'population') {
    let last: RunState | undefined;
    const done = new Set(finished.map((f) => f.index));
    // An ensemble's part is still one model: `only` names the ensemble members it trains (scope).
    const todo = (mode === 'ensemble' ? [0] : (o.only ?? [...Array(count).keys()])).filter((i) => !done.has(i));
    const sel = ir.sweep?.select;
    const best = sel !== undefined && (sel.best !== undefined || sel.alias !== undefined) ? (sel.best ?? 1) : undefined;
    // Members finished before a resume, or trained in other parts, left no parameters here.
    const wholeHere = finished.length === 0 && o.only === undefined;
    let kept: Kept[] = [];
    for (const [k, i] of todo.entries()) {
      const p = programOf(i);
      if (E.isLeft(p)) return result('failed', last !== undefined ? [last] : [], p.left);
      const resumed = live[0];
      const start = resumed !== undefined && resumed.index === i ? resumed : makeMember(p.right, i);
      live = [start];
      const r = await runMember({ ...ctx, program: p.right }, start, total, hooksFor(0));
      live = [r.member];
      if (r.divergence !== undefined) return result('diverged', [r.member.state], describeDivergence(r.divergence), r.divergence);
      if (r.reason === 'stopped') {
        await save();
        return result('interrupted', [r.member.state]);
      }
      // A completed run leaves its trained parameters in the checkpoint: the periodic saves stop a
      // step short of the end. Saved while the member is still live, so the snapshot stays resumable.
      if (k === todo.length - 1) await saveAfterTraining(save);
      // Saved while still live (its stats too), so the snapshot is the same kind the final save writes.
      const saveSelected = o.saveSelected;
      if (saveSelected !== undefined && selectBest(ir, [...finished, finishedOf(r.member)]) === r.member.index)
        await saveAfterTraining(() => saveSelected(snapshot()), "the selected member's checkpoint: ");
      if (sel !== undefined && best !== undefined && wholeHere)
        kept = keepBest(kept, best, sel.direction, { index: i, score: finishedOf(r.member).final[sel.metric] ?? Number.NaN, params: r.member.state.params });
      finished.push(finish(r.member));
      live = [];
      // Sweeps keep only the member being trained in memory.
      if (last !== undefined) disposeState(last);
      last = r.member.state;
    }
    const top = sel !== undefined && best !== undefined ? await topOf(sel, best, kept, wholeHere) : undefined;
    const done_ = result('completed', last !== undefined ? [last] : []);
    return top === undefined ? done_ : { ...done_, top };
  }

  // Population: members advance together, one interval at a time, then exploit/explore.
  const pop = ir.population;
  // Exploit points: every `pop.every` on the run's clock (epochs are passes over the data in use).
  const popEvery = pop?.every;
  const exploitDue = (step: number): boolean => popEvery !== undefined && fires({ every: popEvery }, step, clock);
  if (live.length === 0) live = (o.only ?? [...Array(count).keys()]).map((i) => makeMember(program, i));
  /** false: stopped while waiting for the other parts (live is as it was before the exploit). */
  const exploit = async (at: number): Promise<boolean> => {
    const ex = pop?.exploit;
    if (ex === undefined || pop === undefined) return true;
    // Scoring may move the members' cursors (a metric drawn in batches): a stop before the plan keeps
    // them as they were, so that the resumed run scores the same examples again.
    const before = [...live];
    const name = ex.byName ?? '';
    const obs = byName(program, name);
    const scores: number[] = [];
    for (const [i, m] of live.entries()) {
      if (obs === undefined) {
        scores.push(NaN);
        continue;
      }
      // Reported at this very state (the same object: nothing trained since), from whole splits and
      // without randomness: evaluating again would give these bits again, so the report's value is
      // the score. A resumed member's state is a new object: it is evaluated, to the same value.
      const last = reported.get(m.index);
      const known = last !== undefined && last.state === m.state ? last.exact.get(obs) : undefined;
      if (known !== undefined) {
        scores.push(known);
        continue;
      }
      const r = await evaluateReport({ ...ctx, report: { every: plan.every, items: [obs] } }, m);
      live[i] = { ...m, cursors: r.cursors };
      scores.push(r.values[obs.name] ?? NaN);
    }
    const explore = pop.explore;
    const pbt: PbtOptions = {
      fraction: ex.args[0] ?? 0.2,
      factors: explore?.args ?? [0.8, 1.2],
      ...(explore?.min !== undefined ? { min: explore.min } : {}),
      ...(explore?.max !== undefined ? { max: explore.max } : {}),
      hyper: pop.hyper,
      direction: ex.direction,
      seed: mixSeeds(o.seed, at),
    };
    const res = o.exchange !== undefined ? await o.exchange(at, live, scores, pbt) : exploitExplore(live, scores, pbt);
    if (res === undefined) {
      live = before;
      return false;
    }
    live = [...res.members];
    exploitedAt = at;
    for (const e of res.events) {
      exploits.push(e);
      records++;
      o.onExploit?.(e);
    }
    return true;
  };
  for (;;) {
    const min = Math.min(...live.map((m) => m.state.step));
    if (min >= total) break;
    if (min > 0 && exploitDue(min) && exploitedAt < min && live.every((m) => m.state.step === min) && !(await exploit(min))) {
      await save();
      return result('interrupted', live.map((x) => x.state));
    }
    const blockEnd = popEvery === undefined ? total : nextFiring(popEvery, min, clock, total);
    for (let i = 0; i < live.length; i++) {
      const m = live[i] as MemberState;
      if (m.state.step >= blockEnd) continue;
      const r = await runMember(ctx, m, blockEnd, hooksFor(i));
      live[i] = r.member;
      if (r.divergence !== undefined) return result('diverged', live.map((x) => x.state), describeDivergence(r.divergence), r.divergence);
      if (r.reason === 'stopped') {
        await save();
        return result('interrupted', live.map((x) => x.state));
      }
    }
  }
  await saveAfterTraining(save);
  for (const m of live) finished.push(finish(m));
  return result('completed', live.map((m) => m.state));
};
