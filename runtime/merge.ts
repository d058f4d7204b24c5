/**
 * `xreg merge`: the folders of a sweep run in parts (`xreg run --member`/`--shard`) joined into the
 * folder the whole run would have written: metrics.jsonl in member order, the summary, `select`
 * applied over all members, and the selected member's checkpoint. Refuses parts that do not belong
 * together (another program, seed, length or --set) and a set of parts with a member missing or
 * twice, so that no member is lost or counted twice.
 */
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeFile, encodeFile } from './checkpoint/format.js';
import { joinCheckpoints, type CheckpointFile } from './checkpoint/join.js';
import { checkpointPath, SELECTED_DIR, writeAtomic } from './checkpoint/store.js';
import { chooseMember } from './exec/loop.js';
import type { ExploitEvent } from './exec/pbt.js';
import type { FinishedMember } from './exec/snapshot.js';
import { readManifest, writeManifest, type Manifest } from './results/manifest.js';
import { mergedRunFields } from './results/merged-run.js';
import { isEventLine, METRICS_FILE } from './results/metrics.js';
import { decodeNumber } from './results/numbers.js';
import { summaryTable } from './results/summary.js';
import { standardLibrary, type Registry } from '../stdlib/registry.js';
import { SeedCodes, seedSummary, seedSummaryText, showSeeds, usageError } from './seeds.js';

export interface PartFolder {
  readonly dir: string;
  readonly manifest: Manifest;
}

export interface MergePlan {
  /** The folder holding each member, by member index. */
  readonly holder: readonly string[];
  readonly results: readonly FinishedMember[];
  readonly selected?: number;
}

const ranges = (xs: readonly number[]): string => {
  const out: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i] as number;
    let b = a;
    while (xs[i + 1] === b + 1) b = xs[++i] as number;
    out.push(a === b ? String(a) : `${a}–${b}`);
  }
  return out.join(', ');
};

export const sameSettings = (a: Manifest, b: Manifest): string | undefined => {
  if (a.program.sha256 !== b.program.sha256) return 'another program (or the program file changed between the parts)';
  if (a.seed !== b.seed) return `seed ${b.seed}, not ${a.seed}`;
  if (a.totalSteps !== b.totalSteps) return `${b.totalSteps} steps per member, not ${a.totalSteps}`;
  const sets = (m: Manifest): string => JSON.stringify(Object.entries(m.overrides).sort(([x], [y]) => (x < y ? -1 : 1)));
  if (sets(a) !== sets(b)) return `other --set values (${sets(b)}, not ${sets(a)})`;
  if (a.evalLimit !== b.evalLimit) return `--eval-limit ${String(b.evalLimit ?? 'none')}, not ${String(a.evalLimit ?? 'none')}`;
  return undefined;
};

/** Which folder holds which member, and what `select` chooses; every refusal names the folder. */
export const planMerge = (parts: readonly PartFolder[]): E.Either<string, MergePlan> => {
  const first = parts[0];
  if (first === undefined) return E.left('nothing to merge: give the part folders');
  const holder: (string | undefined)[] = [];
  const results: FinishedMember[] = [];
  for (const { dir, manifest: m } of parts) {
    if (m.outcome !== 'completed') return E.left(`${dir}: the part is ${m.outcome}, not completed; finish it first (xreg run ${m.program.path} --resume ${dir})`);
    if ((m.mode !== 'sweep' && m.mode !== 'population' && m.mode !== 'seeds') || m.results === undefined || m.part === undefined) {
      return E.left(`${dir}: not a part of a sweep, population or seed list (see xreg run --member)`);
    }
    if (m.mode !== first.manifest.mode) return E.left(`${dir} holds part of a ${m.mode}, ${first.dir} of a ${String(first.manifest.mode)}`);
    if (JSON.stringify(first.manifest.seeds) !== JSON.stringify(m.seeds)) {
      const list = (x: Manifest): string => (x.seeds !== undefined ? `--seeds ${showSeeds(x.seeds)}` : 'no seed list');
      return E.left(
        usageError(SeedCodes.otherList, `${dir} was run with ${list(m)}, ${first.dir} with ${list(first.manifest)}`, 'the parts of one seed list are run with the same --seeds (each part trains its own positions in it)'),
      );
    }
    const differs = sameSettings(first.manifest, m);
    if (differs !== undefined) return E.left(`${dir} was run with ${differs} than ${first.dir}: parts of one run must share them`);
    for (const r of m.results) {
      const had = holder[r.index];
      if (had !== undefined) return E.left(`member ${r.index} is in both ${had} and ${dir}: give each member once`);
      holder[r.index] = dir;
      results.push(r);
    }
  }
  const count = first.manifest.members ?? holder.length;
  const missing = [...Array(count).keys()].filter((i) => holder[i] === undefined);
  if (missing.length > 0) {
    const how = `xreg run ${first.manifest.program.path} --member ${missing.length === 1 ? String(missing[0]) : 'I'}`;
    return E.left(`member${missing.length === 1 ? '' : 's'} ${ranges(missing)} of ${count} missing: train ${missing.length === 1 ? 'it' : 'them'} (${how}) and merge again`);
  }
  results.sort((a, b) => a.index - b.index);
  const sel = first.manifest.select;
  const selected = sel === undefined ? undefined : chooseMember(sel, results);
  return E.right({ holder: holder.map((d) => d ?? ''), results, ...(selected !== undefined ? { selected } : {}) });
};

interface Line {
  readonly text: string;
  /** The member it belongs to: a report's `member`, an exploit's `to`. */
  readonly member: number;
  readonly step: number;
  /** An exploit's: the replaced member's score. */
  readonly score?: number;
}

const lineOf = (text: string): Line | undefined => {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || !('step' in v) || typeof v.step !== 'number') return undefined;
    if (isEventLine(text)) {
      if (!('to' in v) || typeof v.to !== 'number' || !('scores' in v) || typeof v.scores !== 'object' || v.scores === null) return undefined;
      const score = 'to' in v.scores ? decodeNumber(v.scores.to) : undefined;
      return { text, member: v.to, step: v.step, ...(score !== undefined ? { score } : {}) };
    }
    return 'member' in v && typeof v.member === 'number' ? { text, member: v.member, step: v.step } : undefined;
  } catch {
    return undefined;
  }
};

/** Where an exploit takes a replaced member in its bottom list: better scores first, none last. */
const rankOf = (score: number, direction: 'lowest' | 'highest'): number => (Number.isNaN(score) ? Infinity : direction === 'highest' ? -score : score);

/**
 * The order one machine writes records in. A sweep: member after member. A population: interval
 * after interval, each member's reports of the interval in member order, then the interval's
 * exploit copies, best-ranked replaced member first (the order the exploit takes the bottom in).
 */
const ordered = (lines: readonly Line[], exploit: Manifest['exploit']): Line[] => {
  const tagged = lines.map((l, seq) => ({ l, seq }));
  if (exploit === undefined) return tagged.sort((a, b) => a.l.member - b.l.member || a.seq - b.seq).map((x) => x.l);
  const every = Math.max(1, exploit.every);
  const rank = (l: Line): number => rankOf(l.score ?? NaN, exploit.direction);
  const key = (l: Line): [number, number, number, number] =>
    isEventLine(l.text) ? [l.step / every - 1, 1, rank(l), l.member] : [Math.ceil(l.step / every) - 1, 0, l.member, 0];
  return tagged
    .sort((a, b) => {
      const ka = key(a.l);
      const kb = key(b.l);
      for (let i = 0; i < ka.length; i++) if ((ka[i] as number) !== (kb[i] as number)) return (ka[i] as number) - (kb[i] as number);
      return a.seq - b.seq;
    })
    .map((x) => x.l);
};

/** A population's exploit events of all parts in the order one process records them (see `ordered`). */
export const exploitOrder =
  (direction: 'lowest' | 'highest') =>
  (events: readonly ExploitEvent[]): ExploitEvent[] =>
    [...events].sort((a, b) => a.step - b.step || rankOf(a.scores.to, direction) - rankOf(b.scores.to, direction) || a.to - b.to);

/**
 * A population's parts' final checkpoints joined into the whole run's (every member's final
 * parameters, as one process leaves them); a reason when a part has none to join.
 */
const joinPopulationCheckpoint = async (parts: readonly PartFolder[], out: string, direction: 'lowest' | 'highest'): Promise<string | undefined> => {
  const files: CheckpointFile[] = [];
  for (const p of parts) {
    let buf: Buffer;
    try {
      buf = await fs.readFile(checkpointPath(p.dir));
    } catch {
      return `${p.dir} has no checkpoint`;
    }
    const d = decodeFile(buf);
    if (E.isLeft(d)) return `${checkpointPath(p.dir)}: ${d.left}`;
    files.push(d.right);
  }
  const joined = joinCheckpoints(files, exploitOrder(direction), new Date().toISOString());
  if (E.isLeft(joined)) return joined.left;
  await writeAtomic(checkpointPath(out), encodeFile(joined.right.header, joined.right.blob));
  return undefined;
};

/** Each member's metrics.jsonl lines, taken from the folder that trained it, in the whole run's order. */
const mergedRecords = async (plan: MergePlan, exploit: Manifest['exploit']): Promise<E.Either<string, string[]>> => {
  const lines: Line[] = [];
  for (const dir of new Set(plan.holder)) {
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, METRICS_FILE), 'utf8');
    } catch (e) {
      return E.left(`${dir}: cannot read ${METRICS_FILE} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    for (const t of text.split('\n').filter((x) => x.length > 0)) {
      const l = lineOf(t);
      if (l === undefined) return E.left(`${dir}/${METRICS_FILE}: a record without a member index: ${t.slice(0, 80)}`);
      // Only the folder holding a member speaks for it.
      if (plan.holder[l.member] === dir) lines.push(l);
    }
  }
  return E.right(ordered(lines, exploit).map((l) => l.text));
};

export interface MergeIO {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

/**
 * The functions a program may call (the standard library and its plugins): an ensemble's merge
 * evaluates the joined ensemble, so it compiles the program.
 */
export type RegistryFor = (file: string) => Promise<E.Either<string, Registry>>;

/** Merges part folders into `out`; resolves to the exit code (0 merged, 1 refused or failed). */
export const mergeRuns = async (
  dirs: readonly string[],
  out: string,
  argv: readonly string[],
  io: MergeIO,
  registryFor: RegistryFor = () => Promise.resolve(E.right(standardLibrary)),
): Promise<number> => {
  const fail = (msg: string): number => {
    io.error(msg.startsWith('error[') ? msg : `error: ${msg}`);
    return 1;
  };
  const parts: PartFolder[] = [];
  for (const dir of dirs) {
    const manifest = await readManifest(dir);
    if (manifest === undefined) return fail(`${dir}: no readable manifest.json (not a run folder, or the run never started)`);
    parts.push({ dir, manifest });
  }
  if (parts[0]?.manifest.mode === 'ensemble') {
    const registry = await registryFor(parts[0].manifest.program.path);
    if (E.isLeft(registry)) return fail(registry.left);
    // Loaded only here: it evaluates the ensemble, with TensorFlow.js.
    const { mergeEnsemble } = await import('./ensemble-merge.js');
    return mergeEnsemble(parts, out, argv, io, registry.right, sameSettings);
  }
  const plan = planMerge(parts);
  if (E.isLeft(plan)) return fail(plan.left);
  const first0 = (parts[0] as PartFolder).manifest;
  const records = await mergedRecords(plan.right, first0.mode === 'population' ? first0.exploit : undefined);
  if (E.isLeft(records)) return fail(records.left);
  const first = (parts[0] as PartFolder).manifest;
  const sel = plan.right.selected;
  try {
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, METRICS_FILE), records.right.map((l) => l + '\n').join(''));
    if (sel !== undefined) {
      // The best member of all is the best of its own part, whose `selected` checkpoint holds it.
      const dir = plan.right.holder[sel] ?? '';
      const theirs = parts.find((p) => p.dir === dir)?.manifest.selected;
      if (theirs !== sel) return fail(`${dir}: its selected checkpoint holds member ${String(theirs)}, not ${sel}`);
      await fs.mkdir(path.join(out, SELECTED_DIR), { recursive: true });
      await fs.copyFile(checkpointPath(path.join(dir, SELECTED_DIR)), checkpointPath(path.join(out, SELECTED_DIR)));
    }
    if (first.mode === 'population') {
      const why = await joinPopulationCheckpoint(parts, out, first.exploit?.direction ?? 'highest');
      if (why !== undefined) io.error(`note: no checkpoint of the whole population in ${out}: ${why}`);
    }
  } catch (e) {
    return fail(`cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const { part: _part, resumedFrom: _resumed, selected: _selected, error: _error, seedSummary: _partSummary, ...base } = first;
  // A part's summary covers its own seeds; the run's covers them all.
  const summary = first.mode === 'seeds' ? seedSummary(plan.right.results) : undefined;
  await writeManifest(out, {
    ...base,
    ...mergedRunFields(parts, argv, first.mode ?? 'sweep', first),
    results: [...plan.right.results],
    ...(first.mode === 'population'
      ? {
          exploits: exploitOrder(first.exploit?.direction ?? 'highest')(parts.flatMap((p) => p.manifest.exploits ?? [])),
        }
      : {}),
    ...(sel !== undefined ? { selected: sel } : {}),
    ...(summary !== undefined ? { seedSummary: summary } : {}),
    mergedFrom: [...dirs],
  });
  io.info(summaryTable(plan.right.results, sel, first.mode === 'seeds'));
  if (summary !== undefined) io.info(seedSummaryText(plan.right.results.map((r) => r.seed), summary));
  io.info(`merged ${plan.right.results.length} members from ${parts.length} folder${parts.length === 1 ? '' : 's'} into ${out}`);
  return 0;
};
