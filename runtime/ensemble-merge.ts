/**
 * `xreg merge` of an ensemble trained in parts (runtime/ensemble-parts.ts): member i's parameters,
 * optimizer state and helpers are taken from the part that trained it, the rest (what no member
 * owns) from the first part, and the joined ensemble is evaluated at the last step as the whole run
 * evaluates it: the same report items, random keys and evaluation batches (the evaluation streams
 * are replayed to where the whole run's last report drew them). So the merged run's final values,
 * the ensemble's included, are the whole run's; its records before the last step hold what the
 * parts could compute (each member's values, and values reading no member), not the ensemble's.
 */
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compileText } from '../compiler/compile.js';
import { APPLIED } from '../compiler/lower/applied.js';
import { lowerProgram } from '../compiler/lower/index.js';
import type { LoweredProgram, RunState } from '../compiler/lower/types.js';
import type { OptState } from '../stdlib/types.js';
import { readSourceSync } from '../dsl/read-source.js';
import type { Registry } from '../stdlib/registry.js';
import { BackendRequest, selectBackend } from './backend/select.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint/store.js';
import { formatDataError } from './data/index.js';
import { drawBatches, type Cursors } from './exec/batches.js';
import { prepareData, type PreparedData } from './exec/data.js';
import { directions, reportPlan } from './exec/loop.js';
import { evaluateReport, type MemberState } from './exec/member.js';
import { finalSpe } from '../compiler/lower/clock.js';
import { epochOf, reportDue, runClock, type Clock } from './exec/schedule.js';
import type { FinishedMember, Snapshot } from './exec/snapshot.js';
import { EnsembleCodes, replicatedPaths } from './ensemble-parts.js';
import { identityHash } from './results/identity.js';
import { sha256Text, writeManifest, type Manifest } from './results/manifest.js';
import { mergedRunFields } from './results/merged-run.js';
import { METRICS_FILE, recordLine } from './results/metrics.js';
import { decodeNumber } from './results/numbers.js';
import { writeReliability } from './results/reliability.js';
import { summaryTable } from './results/summary.js';
import { usageError } from './seeds.js';

export interface EnsemblePart {
  readonly dir: string;
  readonly manifest: Manifest;
}

export interface MergeIO {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

const MEMBER_KEY = /@m(\d+)$/;

/** Which part holds each ensemble member; a member missing or twice is refused. */
export const planEnsembleMerge = (parts: readonly EnsemblePart[]): E.Either<string, string[]> => {
  const first = parts[0];
  if (first === undefined) return E.left('nothing to merge: give the part folders');
  const size = first.manifest.members ?? 0;
  const holder: (string | undefined)[] = [];
  for (const { dir, manifest: m } of parts) {
    if (m.mode !== 'ensemble' || m.part === undefined) return E.left(usageError(EnsembleCodes.merge, `${dir} is not a part of an ensemble, ${first.dir} is`));
    for (const i of m.part) {
      const had = holder[i];
      if (had !== undefined) return E.left(usageError(EnsembleCodes.merge, `ensemble member ${i} is in both ${had} and ${dir}`, 'give each member once'));
      holder[i] = dir;
    }
  }
  const missing = [...Array(size).keys()].filter((i) => holder[i] === undefined);
  if (missing.length > 0) {
    return E.left(
      usageError(
        EnsembleCodes.merge,
        `ensemble member${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${size} missing`,
        `train ${missing.length === 1 ? 'it' : 'them'} (xreg run ${first.manifest.program.path} --member ${missing[0] ?? 0} --out DIR) and merge again`,
      ),
    );
  }
  return E.right(holder.map((d) => d ?? ''));
};

/** Member i's entries from its part, the others from the first part. */
const pick = <T,>(parts: readonly Readonly<Record<string, T>>[], holderIndex: (key: string) => number | undefined): Record<string, T> => {
  const out: Record<string, T> = {};
  for (const key of Object.keys(parts[0] ?? {})) {
    const h = holderIndex(key) ?? 0;
    const v = parts[h]?.[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
};

/** The joined state: each member's own entries from the part (index into `states`) that trained it. */
export const joinStates = (program: LoweredProgram, states: readonly RunState[], partOf: (member: number) => number): RunState => {
  const paths = replicatedPaths(program.ir);
  const byPath = (key: string): number | undefined => {
    const i = paths.get(key);
    return i === undefined ? undefined : partOf(i);
  };
  const byName = (key: string): number | undefined => {
    const m = MEMBER_KEY.exec(key);
    return m === null ? undefined : partOf(Number(m[1]));
  };
  const opt = pick(
    states.map((s) => s.opt),
    byName,
  );
  // Applied gradients are kept per parameter path, in one entry.
  const applied = states[0]?.opt[APPLIED];
  if (applied !== undefined) {
    const slots = pick(
      states.map((s) => s.opt[APPLIED]?.slots ?? {}),
      byPath,
    );
    opt[APPLIED] = { ...applied, slots } satisfies OptState;
  }
  return {
    step: states[0]?.step ?? 0,
    params: pick(
      states.map((s) => s.params),
      byPath,
    ),
    opt,
    helpers: pick(
      states.map((s) => s.helpers),
      byName,
    ),
  };
};

/** The evaluation streams as the whole run's last report found them: every earlier report replayed. */
const cursorsBeforeLastReport = (program: LoweredProgram, data: PreparedData, seed: number, total: number, clock: Clock, evalLimit: number | undefined): Cursors => {
  const plan = reportPlan(program, total);
  let cursors: Cursors = {};
  for (let s = 1; s < total; s++) {
    if (plan.items.length === 0 || !reportDue(plan.every, s, clock)) continue;
    const drawn = drawBatches(
      plan.items.map((o) => o.needs),
      data,
      cursors,
      seed,
      epochOf(s, clock),
      'eval',
      evalLimit,
    );
    cursors = drawn.cursors;
    drawn.dispose();
  }
  return cursors;
};

interface Rec {
  readonly step: number;
  readonly epoch: number;
  readonly values: Record<string, number>;
}

const readRecords = async (dir: string): Promise<E.Either<string, Rec[]>> => {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, METRICS_FILE), 'utf8');
  } catch (e) {
    return E.left(`${dir}: cannot read ${METRICS_FILE} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const out: Rec[] = [];
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const raw = JSON.parse(line) as Record<string, unknown>;
    const { step, epoch, ...rest } = raw;
    if (typeof step !== 'number' || typeof epoch !== 'number') return E.left(`${dir}/${METRICS_FILE}: a record without step and epoch: ${line.slice(0, 80)}`);
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(rest)) {
      const n = decodeNumber(v);
      if (n !== undefined) values[k] = n;
    }
    out.push({ step, epoch, values });
  }
  return E.right(out);
};

/**
 * Merges the parts of an ensemble into `out`: resolves to the exit code. `registry` resolves the
 * program's functions (the standard library and its plugins), as `xreg run` does.
 */
export const mergeEnsemble = async (
  parts: readonly EnsemblePart[],
  out: string,
  argv: readonly string[],
  io: MergeIO,
  registry: Registry,
  sameSettings: (a: Manifest, b: Manifest) => string | undefined,
): Promise<number> => {
  const fail = (msg: string): number => {
    io.error(msg.startsWith('error[') ? msg : `error: ${msg}`);
    return 1;
  };
  const first = parts[0];
  if (first === undefined) return fail('nothing to merge: give the part folders');
  for (const p of parts) {
    if (p.manifest.outcome !== 'completed') return fail(`${p.dir}: the part is ${p.manifest.outcome}, not completed; finish it first (xreg run ${p.manifest.program.path} --resume ${p.dir})`);
    const differs = sameSettings(first.manifest, p.manifest);
    if (differs !== undefined) return fail(`${p.dir} was run with ${differs} than ${first.dir}: parts of one run must share them`);
    if (p.manifest.backend.name !== first.manifest.backend.name) {
      return fail(`${p.dir} was trained on ${p.manifest.backend.name}, ${first.dir} on ${first.manifest.backend.name}: the joined ensemble would not be the whole run's; train the parts on one backend (--backend)`);
    }
  }
  const plan = planEnsembleMerge(parts);
  if (E.isLeft(plan)) return fail(plan.left);
  const dirs = parts.map((p) => p.dir);
  const partOf = (member: number): number => dirs.indexOf(plan.right[member] ?? '');

  const m0 = first.manifest;
  const file = m0.program.path;
  const text = readSourceSync(file);
  if (E.isLeft(text)) return fail(`cannot read ${file}, the program the parts ran: ${text.left}; the ensemble is evaluated from it`);
  if (sha256Text(text.right) !== m0.program.sha256) return fail(`${file} changed since the parts ran: the ensemble is evaluated with the program they trained`);
  const backend = await selectBackend(BackendRequest.is(m0.backend.name) ? m0.backend.name : undefined);
  if (E.isLeft(backend)) return fail(backend.left);
  const compiled = compileText(text.right, file, { readFile: readSourceSync, overrides: m0.overrides, registry });
  if (compiled.ir === undefined) return fail(`${file} no longer compiles`);
  const ir = compiled.ir;
  const data = await prepareData(ir, registry);
  if (E.isLeft(data)) return fail(formatDataError(data.left));
  const clock = runClock(data.right.main.size, ir.run.batch, data.right.growth[data.right.main.key]);
  const lowered = lowerProgram(ir, registry, { stepsPerEpoch: finalSpe(clock), clock });
  if (E.isLeft(lowered)) return fail(lowered.left.map((d) => d.message).join('; '));
  const program = lowered.right;
  const total = m0.totalSteps;

  const states: RunState[] = [];
  const cursors: Cursors[] = [];
  for (const p of parts) {
    const ck = await loadCheckpoint(p.dir, { seed: m0.seed });
    if (E.isLeft(ck)) return fail(ck.left);
    const live = ck.right.snapshot.live[0];
    if (live === undefined || live.state.step !== total) return fail(`${p.dir}: its checkpoint is at step ${live?.state.step ?? 0}, not the last (${total})`);
    states.push(live.state);
    cursors.push(live.cursors);
  }
  const joined = joinStates(program, states, partOf);
  // Training streams as the parts left them (the same in every part); evaluation ones replayed.
  const trainCursors = Object.fromEntries(Object.entries(cursors[0] ?? {}).filter(([k]) => k.startsWith('train:')));
  const member: MemberState = {
    index: 0,
    seed: m0.seed,
    state: joined,
    cursors: { ...trainCursors, ...cursorsBeforeLastReport(program, data.right, m0.seed, total, clock, m0.evalLimit) },
  };
  const report = reportPlan(program, total);
  const ctx = { program, data: data.right, clock, total, report, multi: false, ...(m0.evalLimit !== undefined ? { evalLimit: m0.evalLimit } : {}) };
  const last = await evaluateReport(ctx, member);

  // The parts' records, joined step by step: each value from the part that could compute it.
  const records = new Map<number, Rec>();
  for (const [k, p] of parts.entries()) {
    const rs = await readRecords(p.dir);
    if (E.isLeft(rs)) return fail(rs.left);
    for (const r of rs.right) {
      const had = records.get(r.step) ?? { step: r.step, epoch: r.epoch, values: {} };
      for (const [name, v] of Object.entries(r.values)) {
        const own = MEMBER_KEY.exec(name);
        if (own !== null ? partOf(Number(own[1])) === k : k === 0) had.values[name] = v;
      }
      records.set(r.step, had);
    }
  }
  // A member's last values, evaluated again on the joined state, must be the ones its part logged.
  const lastLogged = records.get(total)?.values ?? {};
  for (const [name, v] of Object.entries(lastLogged)) {
    const now = last.values[name];
    if (now === undefined || !Object.is(now, v)) return fail(`${name} at step ${total}: the part logged ${v}, the joined ensemble gives ${String(now)}; the parts were not trained as one run`);
  }
  const order = report.items.map((o) => o.name);
  const steps = [...records.keys()].sort((a, b) => a - b);
  const lines = steps.map((s) => {
    const r = records.get(s) as Rec;
    const values = s === total ? last.values : r.values;
    const sorted = Object.fromEntries(order.filter((n) => values[n] !== undefined).map((n) => [n, values[n] as number]));
    return recordLine({ step: s, epoch: r.epoch, values: sorted });
  });
  // Best values only over what every record holds: the ensemble's own values exist at the end only.
  const better = directions(program);
  const best: Record<string, number> = {};
  for (const s of steps) {
    const values = s === total ? last.values : (records.get(s) as Rec).values;
    for (const [name, v] of Object.entries(values)) {
      const dir = better.get(name);
      if (dir === undefined || steps.some((t) => t !== total && records.get(t)?.values[name] === undefined)) continue;
      const b = best[name];
      if (b === undefined || Number.isNaN(b) || (dir === 'lowest' ? v < b : v > b)) best[name] = v;
    }
  }
  const finished: FinishedMember = { index: 0, seed: m0.seed, final: last.values, best };
  const snapshot: Snapshot = {
    mode: 'ensemble',
    total,
    live: [{ ...member, cursors: last.cursors }],
    finished: [],
    liveStats: { 0: { final: { ...last.values }, best } },
    records: lines.length,
    exploitedAt: 0,
  };
  try {
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, METRICS_FILE), lines.map((l) => l + '\n').join(''));
    await saveCheckpoint(out, snapshot, { program: identityHash(m0.sources ?? [], m0.data ?? []), seed: m0.seed });
  } catch (e) {
    return fail(`cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const figure = await writeReliability(out, program, joined, data.right, m0.seed, m0.evalLimit);
  if (E.isLeft(figure)) io.error(`note: ${figure.left}`);
  const { part: _part, resumedFrom: _resumed, error: _error, ...base } = m0;
  await writeManifest(out, {
    ...base,
    ...mergedRunFields(parts, argv, 'ensemble', m0),
    results: [finished],
    mergedFrom: [...dirs],
  });
  io.info(summaryTable([finished]));
  io.info(`merged the ${m0.members ?? 0} members of the ensemble from ${parts.length} folder${parts.length === 1 ? '' : 's'} into ${out}; evaluated at step ${total} on the joined parameters`);
  return 0;
};
