/**
 * `xreg run` without the terminal: backend, compile, data, lowering, execution, results. Every
 * failure is a message and an exit code; the caller owns printing and progress display.
 */
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, promises as fs } from 'node:fs';
import { readSourceSync } from '../dsl/read-source.js';
import * as path from 'node:path';
import type { Diagnostic } from '../dsl/diagnostic.js';
import { hasErrors } from '../dsl/diagnostic.js';
import { compileText } from '../compiler/compile.js';
import type { IRProgram } from '../compiler/ir.js';
import { lowerProgram } from '../compiler/lower/index.js';
import type { LoweredProgram } from '../compiler/lower/types.js';
import type { Registry } from '../stdlib/registry.js';
import { hostReads } from './backend/host-reads.js';
import { selectBackend, type BackendRequest } from './backend/select.js';
import { loadCheckpoint, saveCheckpoint, SELECTED_DIR } from './checkpoint/store.js';
import { formatDataError } from './data/index.js';
import { prepareData } from './exec/data.js';
import { checkDataShapes } from './exec/check-shapes.js';
import { checkSnapshot, overrideChanges } from './exec/check-resume.js';
import { execute, memberCount, modeOf, reportPlan, type ExecResult, type StepInfo } from './exec/loop.js';
import type { MemberState, ReportRecord } from './exec/member.js';
import { epochCoord, finalSpe, uniformSpe } from '../compiler/lower/clock.js';
import { MAX_STEPS, runClock, toSteps, totalSteps, type Clock } from './exec/schedule.js';
import type { Snapshot } from './exec/snapshot.js';
import { disposeState } from './exec/state.js';
import { METRICS_FILE, metricsWriter, truncateRecords } from './results/metrics.js';
import { readManifest, sha256Text, versions, writeManifest, type Manifest } from './results/manifest.js';
import { summaryTable, topText } from './results/summary.js';
import { selectedEnsembleIR } from './exec/top-k.js';
import { writeReliability } from './results/reliability.js';
import { figureNotes, manifestFigures } from './results/figures.js';
import { resumeConflicts } from './folder/conflicts.js';
import { isFsFailure, fsReason } from './folder/fs-errors.js';
import { clearRun, heldRunFiles } from './folder/holds.js';
import { acquireLock } from './folder/lock.js';
import { makeFolder } from './folder/make.js';
import { reserveSpace } from './folder/reserve.js';
import { trimPartialLine } from './results/metrics.js';
import { dataIds, identityChanges, identityHash, tokenHash, type SourceId } from './results/identity.js';
import { describeDivergence, type Divergence } from './exec/diverge.js';
import { type TrainingFailure, trainingFailure } from './exec/failure.js';
import { goesOn } from './exec/on-divergence.js';
import { partMembers, showPart, type Part } from './parts.js';
import { EnsembleCodes, ensembleScope } from './ensemble-parts.js';
import { folderExchange } from './exchange.js';
import type { Mode } from './exec/snapshot.js';
import { seedListRefusal, seedSummary, seedSummaryText, showSeeds, usageError } from './seeds.js';

export type SetValue = number | boolean | string;

export interface RunOptions {
  readonly file: string;
  /** The standard library and the program's plugins (cli/registry.ts builds it); compile, data and lowering all read this one. */
  readonly registry: Registry;
  readonly out?: string;
  readonly steps?: number;
  readonly epochs?: number;
  readonly seed?: number;
  readonly backend?: BackendRequest;
  readonly set: Readonly<Record<string, SetValue>>;
  readonly resume?: string;
  readonly checkpointEvery: number;
  /** Whole-split metrics see at most this many examples (a fixed seeded subset); absent: all of them. */
  readonly evalLimit?: number;
  /** A sweep run in parts: the member(s) this run trains into its own folder (`xreg merge` joins them). */
  readonly part?: Part;
  /**
   * A population in parts: the shared folder its parts exploit through (runtime/exchange.ts) and
   * how long a part waits there for the others' scores.
   */
  readonly exchange?: { readonly dir: string; readonly timeoutMs: number };
  /** The command line, for the manifest. */
  readonly argv: readonly string[];
  /** Replace the run already in `out` (without it, a folder holding a run is refused). */
  readonly force?: boolean;
  /** Go on past the first non-finite parameter (a warning) instead of ending the run as diverged. */
  readonly allowDivergence?: boolean;
  /** A seed list (`--seeds`): the program trained once per seed, each seed a member (runtime/seeds.ts). */
  readonly seeds?: readonly number[];
}

export interface RunIO {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
  /** Diagnostics as the CLI renders them (source excerpts, carets). */
  readonly renderDiagnostics: (ds: readonly Diagnostic[]) => string;
  /**
   * Before the first step: steps per member, members trained one after another or side by side
   * (1 for an unrolled ensemble), and `from`, steps already done over all members (a resumed run).
   */
  readonly onStart?: (p: { readonly total: number; readonly members: number; readonly stepsPerEpoch: number; readonly from: number; readonly losses: readonly string[] }) => void;
  readonly onStep?: (m: MemberState, info: StepInfo) => void;
  readonly onReport?: (r: ReportRecord) => void;
  readonly onEnd?: () => void;
  readonly shouldStop?: () => boolean;
  /** The run folder's default name gets this timestamp (tests fix it). */
  readonly now?: () => Date;
}

export const DEFAULT_CHECKPOINT_EVERY = 1000;

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-').replace(/-\d\dZ$/, 'Z');

export const defaultOutDir = (file: string, d: Date): string => path.join('runs', `${path.basename(file, path.extname(file))}-${stamp(d)}`);

const readText = (p: string): E.Either<string, string> => E.mapLeft((why: string) => `cannot read ${p}: ${why}`)(readSourceSync(p));

const lowerWith = (ir: IRProgram, registry: Registry, clock: Clock, sweepIndex: number | undefined): E.Either<Diagnostic[], LoweredProgram> => {
  const sw = ir.sweep;
  const sweep = sw !== undefined && sweepIndex !== undefined ? sw.members[sweepIndex] : undefined;
  return lowerProgram(ir, registry, { stepsPerEpoch: finalSpe(clock), clock, ...(sweep !== undefined ? { sweep } : {}) });
};

/**
 * The backend in one line: its name, how it runs, and why the faster ones were skipped (a missing
 * optional package says so in two words instead of Node's resolver message).
 */
export const backendLine = (name: string, detail: string): string => {
  const short = detail
    .replace(/; xreg kernels: [^[]*/, ' ')
    .replace(/@tensorflow\/(tfjs-node(?:-gpu)?) is not loadable \(Cannot find (?:package|module) [^)]*\)/g, '$1 not installed')
    .replace(/tensorflow-gpu: tfjs-node-gpu not installed; tensorflow: tfjs-node not installed/, 'tfjs-node(-gpu) not installed')
    .replace(/\s+/g, ' ')
    .replace(/ \[/, '; ')
    .replace(/\]$/, '')
    .trim();
  return `backend: ${name} — ${short}`;
};

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "32 steps per epoch of d.train", or for a growing split both lengths and where they change. */
const epochText = (c: Clock, split: string): string => {
  const spe = uniformSpe(c);
  if (spe !== undefined) return `${plural(spe, 'step')} per epoch of ${split}`;
  const [early] = c.spans;
  return `${plural(early?.spe ?? 1, 'step')} per epoch of ${split} while it grows (epochs 0–${(early?.epochs ?? 1) - 1}), ${plural(finalSpe(c), 'step')} per epoch from epoch ${early?.epochs ?? 0}`;
};

const showDuration = (d: { readonly n: number; readonly unit: string }): string => plural(d.n, d.unit.replace(/s$/, ''));

/** Report item names, an unrolled ensemble's per-member copies (`fit@m0`) counted rather than listed. */
const reportNames = (names: readonly string[]): string => {
  const per = names.filter((n) => /@m\d+$/.test(n)).length;
  return names.filter((n) => !/@m\d+$/.test(n)).join(', ') + (per > 0 ? ` (and ${per} per-member values)` : '');
};

/** What the run holds in its folder, so a disk failure anywhere can be reported and cleaned up once. */
interface Held {
  out?: string;
  release?: () => Promise<void>;
  /** Deletes the space kept for the last words (see folder/reserve.ts). */
  freeReserve?: () => Promise<void>;
  manifest?: Manifest;
  /** The step of the last checkpoint known to be on disk (written now or resumed from). */
  savedStep?: number;
}

/**
 * A full or read-only disk ends the run with one line: half-written lines and temp files go, the
 * manifest says failed (if it can still be written), and the last good checkpoint stays for --resume.
 */
const diskFailure = async (o: RunOptions, io: RunIO, held: Held, e: unknown): Promise<number> => {
  const out = held.out ?? '';
  await held.freeReserve?.();
  await trimPartialLine(path.join(out, METRICS_FILE)).catch(() => undefined);
  const reason = `cannot write in ${out}: ${fsReason(e)}`;
  let manifestNote = '';
  if (held.manifest !== undefined) {
    try {
      await writeManifest(out, { ...held.manifest, outcome: 'failed', ended: new Date().toISOString(), error: reason });
    } catch {
      manifestNote = ' (manifest.json could not be updated either)';
    }
  }
  const next =
    held.savedStep !== undefined && held.savedStep > 0
      ? `the checkpoint of step ${held.savedStep} is kept: make room, then continue with: xreg run ${o.file} --resume ${out}`
      : 'no checkpoint was saved';
  io.error(`error: ${reason}; ${next}${manifestNote}`);
  return 1;
};

/** Runs a program file; resolves to the process exit code (0 done, 1 failed, 130 interrupted). */
export const runProgram = async (o: RunOptions, io: RunIO): Promise<number> => {
  const held: Held = {};
  try {
    return await runHeld(o, io, held);
  } catch (e) {
    if (!isFsFailure(e) || held.out === undefined) throw e;
    return await diskFailure(o, io, held, e);
  } finally {
    await held.release?.();
  }
};

const runHeld = async (o: RunOptions, io: RunIO, held: Held): Promise<number> => {
  const fail = (msg: string): number => {
    io.error(msg);
    return 1;
  };
  const first = await selectBackend(o.backend);
  if (E.isLeft(first)) return fail(`error: ${first.left}`);
  io.info(backendLine(first.right.name, first.right.detail));

  const text = readText(o.file);
  if (E.isLeft(text)) return fail(`error: ${text.left}`);
  const programSha = sha256Text(text.right);

  // A resumed run takes its settings from the run it continues unless they are given again.
  const previous = o.resume !== undefined ? await readManifest(o.resume) : undefined;
  if (o.resume !== undefined && !existsSync(o.resume)) return fail(`error: --resume ${o.resume}: no such run folder`);
  if (o.resume !== undefined) {
    const conflicts = resumeConflicts(o, o.resume, previous);
    if (conflicts !== undefined) return fail(`error: ${conflicts}`);
  }
  if (o.resume !== undefined && previous?.outcome === 'completed') {
    io.info(`${o.resume} already completed (${plural(previous.totalSteps, 'step')}); nothing to resume`);
    return 0;
  }
  const overrides = Object.keys(o.set).length > 0 || previous === undefined ? o.set : previous.overrides;
  if (previous !== undefined) {
    const changed = overrideChanges(previous.overrides, overrides);
    if (changed.length > 0) {
      return fail(`error: cannot resume ${o.resume ?? ''}: it was run with other --set values: ${changed.join(', ')}; resume without --set to use the saved ones`);
    }
  }
  // Whole-split metrics must see the same subset after a resume as before it.
  const evalLimit = o.evalLimit ?? previous?.evalLimit;

  // Every file the program reads is part of what a checkpoint belongs to (see results/identity.ts).
  const imported: SourceId[] = [];
  const readImport = (p: string): E.Either<string, string> => {
    const r = readText(p);
    if (E.isRight(r)) imported.push({ path: p, tokens: tokenHash(r.right, p) });
    return r;
  };
  const compiled = compileText(text.right, o.file, { readFile: readImport, overrides, registry: o.registry });
  if (hasErrors(compiled.diagnostics) || compiled.ir === undefined) {
    io.error(io.renderDiagnostics(compiled.diagnostics));
    return 1;
  }
  // Warnings (an unused --set, say) are shown and the run goes on.
  if (compiled.diagnostics.length > 0) io.error(io.renderDiagnostics(compiled.diagnostics));
  const ir = compiled.ir;
  // A resumed seed list continues with the seeds it was started with.
  const seeds = o.seeds ?? previous?.seeds;
  if (seeds !== undefined) {
    const refused = seedListRefusal(ir, o.file, seeds);
    if (refused !== undefined) return fail(refused);
  }
  // Chosen before the program was read (its line comes first); a program that reads values on the
  // host mid-step cannot run on webgpu, so it is chosen again without it.
  const host = first.right.name === 'webgpu' ? hostReads(ir) : undefined;
  const backend = host === undefined ? first : await selectBackend(o.backend, undefined, { kind: 'webgpu', why: host });
  if (E.isLeft(backend)) return fail(`error: ${backend.left}`);
  if (backend !== first) io.info(backendLine(backend.right.name, backend.right.detail));
  const loadStart = Date.now();
  const data = await prepareData(ir, o.registry);
  if (E.isLeft(data)) return fail(formatDataError(data.left));
  // Plugins are sources too: an edited plugin computes something else under the same program.
  const plugins = (o.registry.plugins ?? []).map((p) => ({ path: p.file, tokens: p.hash }));
  const sources: SourceId[] = [{ path: o.file, tokens: tokenHash(text.right, o.file) }, ...imported, ...plugins];
  const dataFiles = await dataIds(ir);
  const identity = identityHash(sources, dataFiles);
  const shapeError = checkDataShapes(ir, data.right);
  if (shapeError !== undefined) return fail(shapeError);
  const sizes = Object.entries(data.right.splits).map(([k, d]) => `${k} ${d.size}`);
  io.info(`data: ${sizes.join(', ')} (loaded in ${((Date.now() - loadStart) / 1000).toFixed(1)} s)`);
  const clock = runClock(data.right.main.size, ir.run.batch, data.right.growth[data.right.main.key]);
  const spe = finalSpe(clock);
  const lowered = lowerWith(ir, o.registry, clock, ir.sweep !== undefined ? 0 : undefined);
  if (E.isLeft(lowered)) {
    io.error(io.renderDiagnostics(lowered.left));
    return 1;
  }

  if (lowered.right.rules.length === 0 && lowered.right.phases.every((ph) => ph.rules.length === 0)) {
    return fail(`error: ${o.file} has no update rule: there is nothing to train`);
  }
  {
    // Before the folder is touched: an absurd length is a typo, not a run.
    const n = totalSteps(ir.run.length, clock, o.steps !== undefined ? { steps: o.steps } : o.epochs !== undefined ? { epochs: o.epochs } : {});
    const k = seeds?.length ?? memberCount(lowered.right);
    if (!Number.isSafeInteger(n) || n * k > MAX_STEPS) {
      return fail(`error: the run would take ${n.toLocaleString('en-US')} steps${k > 1 ? ` × ${k} members` : ''}; xreg runs at most ${MAX_STEPS.toLocaleString('en-US')} (is the length a typo?)`);
    }
  }
  let resume: Snapshot | undefined;
  // A seed list's run seed (its checkpoints', its manifest's `seed`) is its first seed.
  let seed = seeds?.[0] ?? o.seed ?? previous?.seed ?? ir.seed;
  if (o.resume !== undefined) {
    const changed = previous?.sources !== undefined ? identityChanges(previous, { sources, data: dataFiles }) : [];
    if (changed.length > 0) return fail(`error: cannot resume ${o.resume}: ${changed.join('; ')} since the run started; a resumed run must read the same program and data (start a new run with --out)`);
    const ck = await loadCheckpoint(o.resume, { program: identity, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
    if (E.isLeft(ck)) return fail(`error: cannot resume: ${ck.left}`);
    resume = ck.right.snapshot;
    seed = ck.right.header.seed;
    const misfit = checkSnapshot(lowered.right, resume, seed, {
      mode: seeds !== undefined ? 'seeds' : modeOf(lowered.right),
      members: seeds?.length ?? memberCount(lowered.right),
      // A population's part holds only its own members.
      ...(previous?.part !== undefined ? { part: previous.part } : {}),
      splitSizes: Object.fromEntries(Object.entries(data.right.splits).map(([k, d]) => [k, d.size])),
      maxSteps: MAX_STEPS,
    });
    if (misfit !== undefined) return fail(`error: cannot resume ${o.resume}: ${misfit}`);
    io.info(`resuming ${o.resume} at step ${ck.right.header.step} of ${resume.total}`);
    held.savedStep = ck.right.header.step;
  }

  // Before the folder is touched: a part that does not exist, or cannot be trained alone.
  const length = o.steps !== undefined ? { steps: o.steps } : o.epochs !== undefined ? { epochs: o.epochs } : {};
  const total = resume?.total ?? totalSteps(ir.run.length, clock, length);
  const mode: Mode = seeds !== undefined ? 'seeds' : modeOf(lowered.right);
  const members = seeds !== undefined ? seeds.length : mode === 'ensemble' ? (lowered.right.members ?? ir.ensemble?.size ?? 1) : memberCount(lowered.right);
  const plan = reportPlan(lowered.right, total);
  // A resumed part continues the members it was started with.
  const part = o.part !== undefined ? partMembers(o.part, mode, members, o.exchange !== undefined) : E.right(previous?.part);
  if (E.isLeft(part)) return fail(`error: ${part.left}`);
  const only = part.right;
  // An ensemble's part trains its members' rules alone (runtime/ensemble-parts.ts).
  const scope = only !== undefined && mode === 'ensemble' ? ensembleScope(lowered.right, only) : undefined;
  if (scope !== undefined && E.isLeft(scope)) return fail(usageError(EnsembleCodes.coupled, `${o.part !== undefined ? showPart(o.part) : '--member'}: ${scope.left}`));
  const out = o.resume ?? o.out ?? defaultOutDir(o.file, (io.now ?? (() => new Date()))());
  const made = await makeFolder(out);
  if (E.isLeft(made)) return fail(`error: ${made.left}`);
  const lock = await acquireLock(out);
  if (E.isLeft(lock)) return fail(`error: ${lock.left}`);
  held.release = lock.right;
  held.out = out;
  const reserve = await reserveSpace(out);
  if (E.isLeft(reserve)) return fail(`error: ${reserve.left}`);
  const unlock = lock.right;
  held.freeReserve = reserve.right;
  held.release = async () => {
    await reserve.right();
    await unlock();
  };
  if (resume === undefined) {
    // A finished run's results are never overwritten by accident.
    const existing = await heldRunFiles(out);
    if (existing.length > 0 && o.force !== true) {
      const old = await readManifest(out);
      const what = old !== undefined ? `a ${old.outcome} run of ${old.program.path}` : `a run (${existing.join(', ')})`;
      return fail(`error: ${out} already holds ${what}; continue it with --resume ${out}, replace it with --force, or choose another --out`);
    }
    if (existing.length > 0) await clearRun(out);
  }
  io.info(`output: ${out}`);
  const metricsFile = path.join(out, METRICS_FILE);
  if (resume !== undefined) await truncateRecords(metricsFile, resume.records);

  const startedAt = new Date().toISOString();
  // Alone, a population's part would exploit among its own members only: not the run it is part of.
  if (only !== undefined && mode === 'population' && o.exchange === undefined) {
    return fail(`error: ${out} holds part of a population (members ${only.join(', ')}): continue it with --exchange DIR, the folder its parts exploit through`);
  }
  // Steps already done over all members: a resumed sweep has finished members and one live one.
  const from = resume === undefined ? 0 : resume.finished.length * total + resume.live.reduce((a, m) => a + m.state.step, 0);
  io.info(
    [
      `training: ${plural(total, 'step')} (${epochText(clock, data.right.main.key)})`,
      mode === 'single'
        ? ''
        : mode === 'ensemble'
          ? `, an ensemble of ${members} unrolled into one model`
          : mode === 'seeds'
            ? `, once per seed: ${plural(members, 'seed')} (${showSeeds(seeds ?? [])})${lowered.right.members !== undefined ? `, each an ensemble of ${lowered.right.members} unrolled into one model` : ''}`
            : `, ${plural(members, `${mode} member`)}`,
      only !== undefined ? ` (this part: ${only.length === 1 ? 'member' : 'members'} ${only.join(', ')})` : '',
      plan.items.length > 0 ? `; report every ${showDuration(plan.every)}: ${reportNames(plan.items.map((i) => i.name))}` : '',
      evalLimit !== undefined ? `; whole-split metrics on at most ${evalLimit} examples (--eval-limit)` : '',
    ].join(''),
  );
  // A reliability figure's note comes at the end, when it is drawn.
  for (const n of figureNotes(lowered.right.figures.filter((f) => f.kind !== 'reliability'))) io.error(`note: ${n}`);
  const lossNames = [...new Set([...ir.losses.map((l) => l.name), ...lowered.right.losses.map((l) => l.name)])];
  io.onStart?.({ total, members: mode === 'ensemble' ? 1 : (only?.length ?? members), stepsPerEpoch: spe, from, losses: lossNames });
  let manifest: Manifest = {
    program: { path: o.file, sha256: programSha },
    sources,
    data: dataFiles,
    seed,
    backend: { name: backend.right.name, detail: backend.right.detail },
    versions: versions(),
    command: [...o.argv],
    overrides: { ...overrides },
    started: previous?.started ?? startedAt,
    totalSteps: total,
    totalEpochs: epochCoord(clock, total),
    stepsPerEpoch: spe,
    outcome: 'running',
    mode,
    members,
    losses: lossNames,
    figures: manifestFigures(lowered.right.figures),
    ...(evalLimit !== undefined ? { evalLimit: evalLimit } : {}),
    ...(only !== undefined ? { part: only } : {}),
    ...(mode === 'population' && ir.population?.exploit !== undefined
      ? { exploit: { every: ir.population.every !== undefined ? Math.max(1, toSteps(ir.population.every, clock)) : total, direction: ir.population.exploit.direction } }
      : {}),
    ...(ir.sweep?.select !== undefined ? { select: { metric: ir.sweep.select.metric, direction: ir.sweep.select.direction } } : {}),
    ...(seeds !== undefined ? { seeds: [...seeds] } : {}),
    ...(previous?.resumedFrom !== undefined || resume !== undefined
      ? { resumedFrom: [...(previous?.resumedFrom ?? []), ...(resume !== undefined ? [{ step: resume.live[0]?.state.step ?? 0, at: startedAt }] : [])] }
      : {}),
    ...(previous?.phases !== undefined ? { phases: previous.phases } : {}),
  };
  held.manifest = manifest;
  await writeManifest(out, manifest);

  const metrics = metricsWriter(metricsFile);
  // Steps and seconds of the segments before this one (a run resumed after a kill has them from
  // the manifest as of its last checkpoint), so the totals cover every segment.
  const before = { steps: previous?.stepsRun ?? 0, seconds: previous?.seconds ?? 0 };
  const segmentStart = Date.now();
  let segmentSteps = 0;
  const progress = (): { stepsRun: number; seconds: number } => ({
    stepsRun: before.steps + segmentSteps,
    seconds: before.seconds + (Date.now() - segmentStart) / 1000,
  });
  let result: ExecResult | undefined;
  let crash: TrainingFailure | undefined;
  let lastStep = resume?.live[0]?.state.step ?? 0;
  const divergences: Divergence[] = [];
  try {
    result = await execute(lowered.right, data.right, {
      seed,
      ...(seeds !== undefined ? { seeds } : {}),
      length,
      checkpointEvery: o.checkpointEvery,
      ...(evalLimit !== undefined ? { evalLimit: evalLimit } : {}),
      ...(resume !== undefined ? { resume } : {}),
      ...(only !== undefined ? { only } : {}),
      ...(scope !== undefined ? { scope: scope.right } : {}),
      ...(only !== undefined && mode === 'population' && o.exchange !== undefined
        ? {
            exchange: folderExchange({
              dir: o.exchange.dir,
              members,
              timeoutMs: o.exchange.timeoutMs,
              total,
              id: { program: programSha, seed },
              log: (l) => io.error(`note: ${l}`),
              ...(io.shouldStop !== undefined ? { shouldStop: io.shouldStop } : {}),
            }),
          }
        : {}),
      save: async (s) => {
        // The checkpoint counts the records written so far: they must be on disk before it is.
        await metrics.flush();
        await saveCheckpoint(out, s, { program: identity, seed });
        held.savedStep = Math.min(...s.live.map((m) => m.state.step), s.total);
        // A run killed later resumes with these totals (the steps after this checkpoint are redone).
        manifest = { ...manifest, ...progress() };
        held.manifest = manifest;
        await writeManifest(out, manifest);
      },
      ...(ir.sweep?.select !== undefined
        ? {
            saveSelected: async (s: Snapshot) => {
              await fs.mkdir(path.join(out, SELECTED_DIR), { recursive: true });
              await saveCheckpoint(path.join(out, SELECTED_DIR), s, { program: identity, seed });
            },
          }
        : {}),
      onReport: (r) => {
        metrics.write(r);
        io.onReport?.(r);
      },
      onExploit: (e) => metrics.event(e),
      onStep: (m, info) => {
        lastStep = m.state.step;
        segmentSteps++;
        io.onStep?.(m, info);
      },
      ...(io.shouldStop !== undefined ? { shouldStop: io.shouldStop } : {}),
      // One model diverging ends the run; a sweep or population member diverging is a result (a
      // learning rate too high) and the others go on.
      onDiverge: (d) => {
        divergences.push(d);
        const go = goesOn(o.allowDivergence === true, ir.run.onDivergence, mode);
        if (go === undefined) return true;
        io.error(`warning: ${describeDivergence(d)}; going on${go}`);
        return false;
      },
      ...(ir.sweep !== undefined
        ? { programFor: (i: number) => E.mapLeft((ds: Diagnostic[]) => io.renderDiagnostics(ds))(lowerWith(ir, o.registry, clock, i)) }
        : {}),
      ...(ir.sweep?.select?.after !== undefined && ir.sweep.select.after.length > 0
        ? {
            lowerTop: (k: number) => {
              const ens = selectedEnsembleIR(ir, k);
              if (ens === undefined) return E.left('the program has no metric of the selected members');
              return E.mapLeft((ds: Diagnostic[]) => io.renderDiagnostics(ds))(lowerProgram(ens, o.registry, { stepsPerEpoch: spe, ...(ir.sweep?.members[0] !== undefined ? { sweep: ir.sweep.members[0] } : {}) }));
            },
          }
        : {}),
    });
  } catch (e) {
    // A full disk is reported by runProgram, with what is left to resume from.
    if (isFsFailure(e)) {
      await metrics.close().catch(() => undefined);
      throw e;
    }
    // A tensor op failing mid-run (a shape the checks above could not see) is a failed run, not a
    // crash, named at the expression that failed when a compiled node caught it.
    crash = trainingFailure(e, lastStep);
  } finally {
    io.onEnd?.();
  }
  await metrics.close();
  if (crash !== undefined || result === undefined) {
    const reason = crash?.line ?? 'training ended without a result';
    await writeManifest(out, { ...manifest, outcome: 'failed', ended: new Date().toISOString(), error: reason });
    if (crash?.diagnostic === undefined) return fail(`error: ${reason}`);
    io.error(io.renderDiagnostics([crash.diagnostic]));
    return fail(`error: training failed at step ${crash.step}; the run is marked failed`);
  }
  // A declared reliability figure needs the final model's predictions, not logged scalars.
  // An ensemble's part holds some members only: its figure is drawn by the merge.
  const finalState = result.outcome === 'completed' && result.states.length === 1 && scope === undefined ? result.states[0] : undefined;
  const figureNote =
    finalState !== undefined ? await writeReliability(out, lowered.right, finalState, data.right, seed, evalLimit) : E.right(undefined);
  for (const s of result.states) disposeState(s);
  if (E.isLeft(figureNote)) io.error(`note: ${figureNote.left}`);
  if (result.finalSaveError !== undefined) io.error(`note: training completed, but a checkpoint could not be written: ${result.finalSaveError}`);

  const seconds = result.seconds + before.seconds;
  manifest = {
    ...manifest,
    totalSteps: result.total,
    outcome: result.outcome,
    ended: new Date().toISOString(),
    stepsRun: result.stepsRun + before.steps,
    seconds,
    // The executor does not time phases separately yet: a run is one phase named by its mode.
    phases: [{ name: result.mode, seconds }],
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(divergences.length > 0 ? { divergences } : {}),
    ...(result.selected !== undefined ? { selected: result.selected } : {}),
    ...(result.top !== undefined ? { selectedTop: { members: [...result.top.members], ...(result.top.values !== undefined ? { values: { ...result.top.values } } : {}), ...(result.top.note !== undefined ? { note: result.top.note } : {}) } } : {}),
    ...(result.exploits !== undefined ? { exploits: [...result.exploits] } : {}),
    results: [...result.members],
    ...(mode === 'seeds' && result.outcome === 'completed' ? { seedSummary: seedSummary(result.members) } : {}),
  };
  await writeManifest(out, manifest);

  if (result.outcome === 'failed') return fail(`error: ${result.error ?? 'the run failed'}`);
  if (result.outcome === 'diverged') {
    return fail(`error: ${result.error ?? 'diverged'}; the run is marked diverged (a smaller learning rate may help; 'on divergence continue' after the program's run, or --allow-divergence, goes on past it)`);
  }
  if (result.outcome === 'interrupted') {
    io.error(`interrupted: checkpoint saved in ${out}; continue with: xreg run ${o.file} --resume ${out}`);
    return 130;
  }
  if (result.members.length > 0) io.info(summaryTable(result.members, result.selected, mode === 'seeds'));
  if (manifest.seedSummary !== undefined) io.info(seedSummaryText(result.members.map((m) => m.seed), manifest.seedSummary));
  if (result.selected !== undefined && result.finalSaveError === undefined) io.info(`the selected member's parameters: ${path.join(out, SELECTED_DIR)} (a checkpoint)`);
  if (result.top !== undefined) io.info(topText(result.top));
  io.info(`done: ${plural(result.stepsRun, 'step')} in ${result.seconds.toFixed(1)} s; results in ${out} (${METRICS_FILE}, manifest.json)`);
  io.info(`next: xreg plot ${out}`);
  return 0;
};
