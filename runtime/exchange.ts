/**
 * A population trained in parts exploits through a shared folder: at each exploit step every
 * member publishes its score; once all have (or the wait times out), the first part to decide
 * writes the plan — who copies whom, with which explore factors, drawn from the scores exactly as
 * one machine would — and every part applies the copies to its own members, loading each copied
 * state from the folder. With no member late the result is the whole run's, member by member. A
 * member late by more than the timeout is ranked last (it has no score), so it is among those
 * replaced from a top member when it comes back; the others do not wait for it.
 *
 *   DIR/<step>/<member>.score.json          its score
 *   DIR/<step>/plan.json                    the decision (the lineage of that exploit)
 *   DIR/<step>/<member>/checkpoint.xckpt   the member's state at the exploit (kept once the plan
 *                                           is made only for the members copied)
 *   DIR/exchange.json                       how states are published (absent: with the scores)
 *
 * States are published in one of two ways, the folder's own setting (`exchange.json`), so that all
 * its parts agree:
 * - `with-scores` (the default): every member's state before its score, so that a score on disk
 *   means its state can be copied, whatever becomes of its part afterwards. Parts on a queue need
 *   this: a worker killed after publishing loses its slots, and the others must not wait for it.
 * - `copied`: the states the plan copies only (at most a quarter of a truncation(0.25) population),
 *   each written by its member's part once that part has read the plan. Every member's state (20
 *   of pbt.xreg's network, 4 MB each with Adam's moments, written and synced) cost each part
 *   0.5–2 s per exploit. For parts that start and stop together (`xreg run --workers`, whose
 *   failing worker fails the run): a part lost after the plan would leave its copiers waiting.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkpointPath, loadCheckpoint, saveCheckpoint, writeAtomic, writeExclusive } from './checkpoint/store.js';
import type { Identity } from './checkpoint/serialize.js';
import { AnyNumber } from './checkpoint/format.js';
import { SettingsC, settingsFile, type ExchangeSettings } from './exchange-settings.js';
import type { Exchange } from './exec/loop.js';
import type { MemberState } from './exec/member.js';
import { adoptCopy, planExploit, type ExploitEvent } from './exec/pbt.js';
import { disposeState } from './exec/state.js';

export interface ExchangeOptions {
  /** The shared folder (every part sees it at this path). */
  readonly dir: string;
  /** Members in the whole population. */
  readonly members: number;
  /** How long a part waits for the other members' scores before deciding without them. */
  readonly timeoutMs: number;
  readonly total: number;
  /** The checkpoints' identity: program SHA-256 and run seed. */
  readonly id: Identity;
  readonly log: (line: string) => void;
  readonly pollMs?: number;
  /** Asked while waiting for the others: true ends the wait (Ctrl-C; the others are stopping too). */
  readonly shouldStop?: () => boolean;
}

const PlanC = t.type({
  step: t.number,
  scores: t.array(AnyNumber),
  copies: t.array(t.type({ to: t.number, from: t.number, factors: t.record(t.string, t.number) })),
  /** Members without a score when the plan was made. */
  late: t.array(t.number),
  decidedBy: t.number,
});
type Plan = t.TypeOf<typeof PlanC>;

const ScoreC = t.type({ score: AnyNumber });


const readJson = async <A>(file: string, codec: t.Type<A, unknown, unknown>): Promise<A | undefined> => {
  try {
    const d = codec.decode(JSON.parse(await fs.readFile(file, 'utf8')));
    return E.isRight(d) ? d.right : undefined;
  } catch {
    return undefined;
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `ready` until it holds, the wait times out (false) or the part is stopped (undefined). */
const waitFor = async (ready: () => Promise<boolean>, x: ExchangeOptions): Promise<boolean | undefined> => {
  const started = Date.now();
  for (;;) {
    if (await ready()) return true;
    if (Date.now() - started > x.timeoutMs) return false;
    if (x.shouldStop?.() === true) return undefined;
    await sleep(x.pollMs ?? 100);
  }
};

/** An Exchange over the shared folder `x.dir`. */
export const folderExchange = (x: ExchangeOptions): Exchange => {
  let settings: Promise<ExchangeSettings> | undefined;
  return async (at, mine, scores, o) => {
    const { states } = await (settings ??= readJson(settingsFile(x.dir), SettingsC).then((s) => s ?? { states: 'with-scores' as const }));
    const step = path.join(x.dir, String(at));
    const scoreFile = (i: number): string => path.join(step, `${i}.score.json`);
    const stateDir = (i: number): string => path.join(step, String(i));
    const publish = async (m: MemberState): Promise<void> => {
      await fs.mkdir(stateDir(m.index), { recursive: true });
      await saveCheckpoint(stateDir(m.index), { mode: 'population', total: x.total, live: [m], finished: [], liveStats: {}, records: 0, exploitedAt: at }, x.id);
    };
    const planFile = path.join(step, 'plan.json');
    await fs.mkdir(step, { recursive: true });
    for (const [j, m] of mine.entries()) {
      // The state first, then the score: a score on disk means its state can be copied.
      if (states === 'with-scores') await publish(m);
      await writeAtomic(scoreFile(m.index), Buffer.from(JSON.stringify(ScoreC.encode({ score: scores[j] ?? NaN }))));
    }
    const started = Date.now();
    let plan = await readJson(planFile, PlanC);
    let all: (number | undefined)[] = [];
    while (plan === undefined) {
      all = await Promise.all([...Array(x.members).keys()].map(async (i) => (await readJson(scoreFile(i), ScoreC))?.score));
      if (all.every((s) => s !== undefined) || Date.now() - started > x.timeoutMs) break;
      // Stopped before the plan: the part saves the state it had before this exploit and resumes into it.
      if (x.shouldStop?.() === true) return undefined;
      await sleep(x.pollMs ?? 100);
      plan = await readJson(planFile, PlanC);
    }
    if (plan === undefined) {
      const late = all.flatMap((s, i) => (s === undefined ? [i] : []));
      const hyper = o.hyper.filter((h) => mine[0]?.state.params[h] !== undefined);
      const full = all.map((s) => s ?? NaN);
      const mineFirst = mine[0]?.index ?? -1;
      const ours: Plan = { step: at, scores: full, copies: planExploit(full, hyper, o), late, decidedBy: mineFirst };
      // Exclusive and whole: of parts deciding at once, one plan wins and all follow it, and none
      // reads a plan half written.
      if (!(await writeExclusive(planFile, Buffer.from(JSON.stringify(PlanC.encode(ours)))))) {
        // Another part's plan. Whole once there, except on a file system without hard links, where
        // it can be read half written for a moment: read until it decodes.
        let theirs: Plan | undefined;
        if ((await waitFor(async () => (theirs = await readJson(planFile, PlanC)) !== undefined, x)) === undefined) return undefined;
        plan = theirs;
      } else {
        plan = ours;
        // Only the states copied are read again (now, or by a part resumed into this exploit): the
        // others go, so the folder keeps a few states per exploit rather than the whole population's
        // (20 members of pbt.xreg's network: 80 MB per exploit). A late member's is left alone: it
        // may be being written.
        const sources = new Set(ours.copies.map((c) => c.from));
        if (states === 'with-scores')
          await Promise.all(all.flatMap((s, i) => (s !== undefined && !sources.has(i) ? [fs.rm(stateDir(i), { recursive: true, force: true })] : [])));
        if (late.length > 0) {
          const replaced = ours.copies.filter((c) => late.includes(c.to)).map((c) => `member ${c.to} by a copy of member ${c.from}`);
          x.log(
            `exploit at step ${at}: member${late.length === 1 ? '' : 's'} ${late.join(', ')} had not reported after ${(x.timeoutMs / 1000).toFixed(0)} s; ranked last${replaced.length > 0 ? `, replaced when ${late.length === 1 ? 'it comes' : 'they come'} back: ${replaced.join(', ')}` : ''}`,
          );
        }
      }
    }
    if (plan === undefined) throw new Error(`${planFile}: unreadable exploit plan`);
    const decided = plan;
    if (states === 'copied') {
      // This part's members that the plan copies, as they are at the exploit (a source is a top
      // member, never replaced here). A part resumed into this exploit writes them again, alike.
      const sources = new Set(decided.copies.map((c) => c.from));
      for (const m of mine) if (sources.has(m.index)) await publish(m);
    }
    // Every state this part copies is on disk before any copy is made: stopped while waiting for
    // one, the part still holds each member as it was before the exploit.
    const ours = decided.copies.filter((c) => mine.some((m) => m.index === c.to));
    for (const c of ours) {
      const written = await waitFor(() => fs.access(checkpointPath(stateDir(c.from))).then(() => true, () => false), x);
      if (written === undefined) return undefined;
      if (!written) throw new Error(`member ${c.to} cannot copy member ${c.from} at step ${at}: its state was not written within ${(x.timeoutMs / 1000).toFixed(0)} s`);
    }
    const members: MemberState[] = [];
    const events: ExploitEvent[] = [];
    for (const m of mine) {
      const c = ours.find((p) => p.to === m.index);
      if (decided.late.includes(m.index)) x.log(`member ${m.index} reached the exploit at step ${at} after it was decided: ${c !== undefined ? `replaced by a copy of member ${c.from}` : 'keeps its own state'}`);
      if (c === undefined) {
        members.push(m);
        continue;
      }
      const src = await loadCheckpoint(stateDir(c.from), x.id);
      if (E.isLeft(src)) throw new Error(`member ${m.index} cannot copy member ${c.from} at step ${at}: ${src.left}`);
      const from = src.right.snapshot.live[0];
      if (from === undefined) throw new Error(`member ${c.from}'s state at step ${at} is empty`);
      const r = adoptCopy(m, from, c, { from: decided.scores[c.from] ?? NaN, to: decided.scores[c.to] ?? NaN }, o);
      disposeState(from.state);
      members.push(r.member);
      events.push(r.event);
    }
    return { members, events };
  };
};
