/**
 * Whether a checkpoint fits the program as compiled now. The program text and seed are checked by
 * the checkpoint store; `--set` overrides change shapes and values without changing the text.
 */
import type { LoweredProgram } from '../../compiler/lower/types.js';
import type * as tf from '@tensorflow/tfjs-core';
import type { RunState } from '../../compiler/lower/types.js';
import type { OptState } from '../../stdlib/types.js';
import type { MemberState } from './member.js';
import type { Snapshot } from './snapshot.js';
import { disposeState } from './state.js';

type Overrides = Readonly<Record<string, number | boolean | string>>;

/** The overrides that differ between a run and its resumption, as `h=4 (now 8)`; empty: none. */
export const overrideChanges = (saved: Overrides, now: Overrides): string[] =>
  [...new Set([...Object.keys(saved), ...Object.keys(now)])]
    .sort()
    .filter((k) => saved[k] !== now[k])
    .map((k) => `${k}=${saved[k] === undefined ? '(unset)' : String(saved[k])} (now ${now[k] === undefined ? 'unset' : String(now[k])})`);

const shapeOf = (t: { readonly shape: readonly number[] }): string => `[${t.shape.join(', ')}]`;

/** The first tensor table (params, slots or helpers) of `got` that differs from `want` in names or shapes. */
const tableMisfit = (what: string, got: Readonly<Record<string, { readonly shape: readonly number[] }>>, want: Readonly<Record<string, { readonly shape: readonly number[] }>>): string | undefined => {
  for (const [k, t] of Object.entries(got)) {
    const w = want[k];
    if (w === undefined) return `the checkpoint holds ${what} ${k}, which the program no longer has`;
    if (shapeOf(w) !== shapeOf(t)) return `${what} ${k} has shape ${shapeOf(t)} in the checkpoint but ${shapeOf(w)} in the program as compiled now`;
  }
  for (const k of Object.keys(want)) if (got[k] === undefined) return `the checkpoint lacks ${what} ${k}`;
  return undefined;
};

const isCount = (n: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(n) && n >= 0 && n <= max;

/** Where a cursor key `purpose:data.split#batch` points, for its range check. */
const cursorSplit = (key: string): string | undefined => /^(?:train|eval):([^#]+)#/.exec(key)?.[1];

/** The first member field out of range, or a tensor whose shape differs from a fresh state's. */
const memberMisfit = (m: MemberState, fresh: RunState, total: number, splitSizes: Readonly<Record<string, number>>): string | undefined => {
  const s = m.state;
  if (!isCount(s.step, total)) return `member ${m.index} is at step ${s.step}, outside 0..${total}`;
  if (!Number.isInteger(m.seed)) return `member ${m.index} has seed ${m.seed}, not an integer`;
  for (const [k, c] of Object.entries(m.cursors)) {
    const split = cursorSplit(k);
    const n = split !== undefined ? splitSizes[split] : undefined;
    if (n === undefined) return `member ${m.index} has a data cursor for ${k}, which the program does not read`;
    if (!isCount(c.position, n)) return `the data cursor ${k} is at example ${c.position}, outside 0..${n}`;
    if (!isCount(c.epoch, s.step + 1)) return `the data cursor ${k} is in epoch ${c.epoch}, impossible after ${s.step} steps`;
  }
  const params = tableMisfit('parameter', s.params, fresh.params);
  if (params !== undefined) return params;
  for (const [rule, o] of Object.entries(s.opt)) {
    const w = fresh.opt[rule];
    if (w === undefined) return `the checkpoint holds optimizer state for rule ${rule}, which the program no longer has`;
    if (!isCount(o.t, s.step)) return `the optimizer of rule ${rule} counts ${o.t} updates, outside 0..${s.step}`;
    const flat = (x: OptState): Record<string, tf.Tensor> =>
      Object.fromEntries(Object.entries(x.slots).flatMap(([n, xs]) => xs.map((t, i): [string, tf.Tensor] => [`${n}[${i}]`, t])));
    const slots = tableMisfit(`the optimizer slot of rule ${rule}:`, flat(o), flat(w));
    if (slots !== undefined) return slots;
  }
  for (const rule of Object.keys(fresh.opt)) if (s.opt[rule] === undefined) return `the checkpoint lacks the optimizer state of rule ${rule}`;
  for (const [h, ts] of Object.entries(s.helpers)) {
    const w = fresh.helpers[h];
    if (w === undefined) return `the checkpoint holds state ${h}, which the program no longer has`;
    const misfit = tableMisfit(`state ${h}:`, ts, w);
    if (misfit !== undefined) return misfit;
  }
  return undefined;
};

export interface ResumeFacts {
  readonly mode: string;
  /** Members the program trains (sweep values, population size; 1 otherwise). */
  readonly members: number;
  /** A run in parts: the members this part trains (a population's part holds exactly these live). */
  readonly part?: readonly number[];
  /** `${data}.${split}` → examples. */
  readonly splitSizes: Readonly<Record<string, number>>;
  /** The largest step count a run may have (see `MAX_STEPS`). */
  readonly maxSteps: number;
}

/**
 * Every field of a checkpoint checked against the program as compiled now: a file with a valid
 * checksum may still be hand-made or from another version, and a value out of range would train
 * on garbage (a cursor past the data) or never end (a step past the total).
 */
export const checkSnapshot = (program: LoweredProgram, snap: Snapshot, seed: number, facts: ResumeFacts): string | undefined => {
  if (snap.mode !== facts.mode) return `the checkpoint is of a ${snap.mode} run, the program is a ${facts.mode} run`;
  if (!isCount(snap.total, facts.maxSteps) || snap.total === 0) return `the checkpoint's run length ${snap.total} is outside 1..${facts.maxSteps} steps`;
  if (!isCount(snap.records)) return `the checkpoint counts ${snap.records} metrics records`;
  if (!isCount(snap.exploitedAt, snap.total)) return `the checkpoint's last exploit step ${snap.exploitedAt} is outside 0..${snap.total}`;
  if (snap.finished.length + (facts.mode === 'population' ? 0 : snap.live.length) > facts.members) {
    return `the checkpoint holds ${snap.finished.length + snap.live.length} members, the program has ${facts.members}`;
  }
  const live = facts.mode === 'population' ? (facts.part?.length ?? facts.members) : undefined;
  if (live !== undefined && snap.live.length !== live) return `the checkpoint holds ${snap.live.length} live members, the ${facts.part !== undefined ? 'part' : 'population'} has ${live}`;
  for (const m of snap.live) {
    if (!isCount(m.index, facts.members - 1)) return `the checkpoint holds member ${m.index}, the program has members 0..${facts.members - 1}`;
    if (facts.mode === 'population' && facts.part !== undefined && !facts.part.includes(m.index)) return `the checkpoint holds member ${m.index}, the part trains members ${facts.part.join(', ')}`;
  }
  const fresh = program.init(seed);
  try {
    for (const m of snap.live) {
      const misfit = memberMisfit(m, fresh, snap.total, facts.splitSizes);
      if (misfit !== undefined) return misfit;
    }
    return undefined;
  } finally {
    disposeState(fresh);
  }
};
