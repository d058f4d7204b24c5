/**
 * A population trained in parts that exploit through a shared folder (runtime/exchange.ts): with
 * every member on time, the merge equals the whole run member by member — records, exploit copies
 * (who copied whom, when, with which hyper-parameters), final values. A member that does not report
 * in time does not stall the others: they decide without it, it is ranked last, and when it comes
 * back it takes the copy the plan gave it, and the log says so.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeExchangeSettings } from '../../runtime/exchange-settings.js';
import { checkpointPath } from '../../runtime/checkpoint/store.js';
import { mergeRuns } from '../../runtime/merge.js';
import { go, workspace } from '../helpers/run-program.js';
import { manifestOf, metricLines, populationProgram } from '../helpers/sweep-parts.js';

const text = populationProgram(30, 10);
const merge = async (dirs: string[], out: string): Promise<number> => mergeRuns(dirs, out, ['merge'], { info: () => undefined, error: (l) => void console.error(l) });

/** A fresh folder with the whole run trained in it, and the four part folders and exchange for the parts. */
const wholeAndParts = async (): Promise<{ dir: string; file: string; whole: string; parts: string[]; exchange: { dir: string; timeoutMs: number } }> => {
  const dir = workspace({ 'p.xreg': text });
  const file = path.join(dir, 'p.xreg');
  const whole = path.join(dir, 'whole');
  expect((await go({ file, out: whole })).code).toBe(0);
  const parts = [0, 1, 2, 3].map((i) => path.join(dir, `m${i}`));
  return { dir, file, whole, parts, exchange: { dir: path.join(dir, 'exchange'), timeoutMs: 60_000 } };
};

describe('a population in parts', () => {
  it('equals the whole run when every member reports in time', async () => {
    const { dir, file, whole, parts, exchange } = await wholeAndParts();
    // The four parts side by side in this process: each waits for the others' scores at every exploit.
    const runs = await Promise.all(parts.map((out, i) => go({ file, out, part: { kind: 'member', index: i }, exchange })));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const out = path.join(dir, 'merged');
    expect(await merge(parts, out)).toBe(0);
    const w = manifestOf(whole);
    const m = manifestOf(out);
    expect(metricLines(out)).toEqual(metricLines(whole));
    expect(m.results).toEqual(w.results);
    expect(m.exploits).toEqual(w.exploits);
    // Two exploits (steps 10 and 20), one copy each: the lineage is there to compare.
    expect(w.exploits?.map((e) => e.step)).toEqual([10, 20]);
    expect(Object.keys(w.exploits?.[0]?.hyper ?? {})).toEqual(['lam']);
    const plan = JSON.parse(readFileSync(path.join(exchange.dir, '10', 'plan.json'), 'utf8')) as { late: number[]; copies: { to: number; from: number }[] };
    expect(plan.late).toEqual([]);
    expect(plan.copies.map((c) => [c.to, c.from])).toEqual([[w.exploits?.[0]?.to, w.exploits?.[0]?.from]]);
  });

  /**
   * Per exploit step: the members whose state is in the folder, the sources of its plan, and when
   * each state was written against the plan (the file times' sign: the clock behind them is
   * coarse, so two writes in one tick compare equal, never the wrong way round).
   */
  const statesAt = (exchange: string, step: string): { states: string[]; sources: string[]; againstPlan: number[] } => {
    const at = path.join(exchange, step);
    const plan = JSON.parse(readFileSync(path.join(at, 'plan.json'), 'utf8')) as { copies: { from: number }[] };
    const planned = statSync(path.join(at, 'plan.json')).mtimeMs;
    const states = readdirSync(at).filter((n) => /^\d+$/.test(n)).sort();
    return {
      states,
      sources: [...new Set(plan.copies.map((c) => String(c.from)))].sort(),
      againstPlan: states.map((n) => Math.sign(statSync(checkpointPath(path.join(at, n))).mtimeMs - planned)),
    };
  };

  it('set to publish only the states copied, each part writes its sources after the plan, and the merge still equals the whole run', async () => {
    const { dir, file, whole, parts, exchange } = await wholeAndParts();
    await writeExchangeSettings(exchange.dir, { states: 'copied' });
    const runs = await Promise.all(parts.map((out, i) => go({ file, out, part: { kind: 'member', index: i }, exchange })));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const out = path.join(dir, 'merged');
    expect(await merge(parts, out)).toBe(0);
    expect(metricLines(out)).toEqual(metricLines(whole));
    expect(manifestOf(out).results).toEqual(manifestOf(whole).results);
    expect(manifestOf(out).exploits).toEqual(manifestOf(whole).exploits);
    for (const step of ['10', '20']) {
      const s = statesAt(exchange.dir, step);
      expect(s.states).toEqual(s.sources);
      expect(s.againstPlan.every((d) => d >= 0)).toBe(true);
    }
  });

  it('by default every state is published before its score (a part lost later is not waited for), and the copied ones kept', async () => {
    const { file, parts, exchange } = await wholeAndParts();
    const runs = await Promise.all(parts.map((out, i) => go({ file, out, part: { kind: 'member', index: i }, exchange })));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    for (const step of ['10', '20']) {
      const s = statesAt(exchange.dir, step);
      expect(s.states).toEqual(s.sources);
      expect(s.againstPlan.every((d) => d <= 0)).toBe(true);
    }
  });

  it('does not wait forever for a member that is late: it is replaced from a top member when it comes back', async () => {
    const dir = workspace({ 'p.xreg': text });
    const file = path.join(dir, 'p.xreg');
    const parts = [0, 1, 2, 3].map((i) => path.join(dir, `m${i}`));
    const exchange = { dir: path.join(dir, 'exchange'), timeoutMs: 300 };
    const started = Date.now();
    const early = await Promise.all(parts.slice(0, 3).map((out, i) => go({ file, out, part: { kind: 'member', index: i }, exchange })));
    // A part that fails shows what it said (once seen failing in a full suite, its message lost).
    expect(early.map((r) => (r.code === 0 ? 0 : `code ${r.code}: ${r.errors.join('\n')}`))).toEqual([0, 0, 0]);
    expect(Date.now() - started).toBeLessThan(30_000);
    const said = early.flatMap((r) => r.errors).join('\n');
    expect(said).toMatch(/exploit at step 10: member 3 had not reported after 0 s; ranked last, replaced when it comes back: member 3 by a copy of member \d/);
    expect(existsSync(path.join(parts[3] as string, 'manifest.json'))).toBe(false);

    const late = await go({ file, out: parts[3] as string, part: { kind: 'member', index: 3 }, exchange });
    expect(late.code).toBe(0);
    expect(late.errors.join('\n')).toMatch(/member 3 reached the exploit at step 10 after it was decided: replaced by a copy of member \d/);
    const events = manifestOf(parts[3] as string).exploits ?? [];
    expect(events.map((e) => [e.step, e.to])).toEqual([
      [10, 3],
      [20, 3],
    ]);
    // It had no score at either exploit (manifest.json spells NaN "NaN").
    expect(events.map((e) => String(e.scores.to))).toEqual(['NaN', 'NaN']);
    const out = path.join(dir, 'merged');
    expect(await merge(parts, out)).toBe(0);
    expect(manifestOf(out).results?.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });

  it('a part stopped mid-way and resumed (member 2, not the first) rejoins the others at the exploit; the merge equals the whole run', async () => {
    const { dir, file, whole, parts, exchange } = await wholeAndParts();
    // The others start and wait at the first exploit for member 2.
    const others = [0, 1, 3].map((i) => go({ file, out: parts[i] as string, part: { kind: 'member', index: i }, exchange }));
    let steps = 0;
    const stopped = await go({ file, out: parts[2] as string, part: { kind: 'member', index: 2 }, exchange, checkpointEvery: 5 }, { onStep: () => void steps++, shouldStop: () => steps >= 7 });
    expect(stopped.code).toBe(130);
    const resumed = await go({ file, resume: parts[2] as string, exchange });
    expect(resumed.errors.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(resumed.code).toBe(0);
    expect((await Promise.all(others)).map((r) => r.code)).toEqual([0, 0, 0]);
    expect(manifestOf(parts[2] as string).resumedFrom?.[0]?.step).toBe(7);
    const out = path.join(dir, 'merged');
    expect(await merge(parts, out)).toBe(0);
    expect(metricLines(out)).toEqual(metricLines(whole));
    expect(manifestOf(out).exploits).toEqual(manifestOf(whole).exploits);
  });

  it('refuses a part without the exchange folder, started or resumed', async () => {
    const dir = workspace({ 'p.xreg': text });
    const file = path.join(dir, 'p.xreg');
    const out = path.join(dir, 'm0');
    const alone = await go({ file, out, part: { kind: 'member', index: 0 } });
    expect(alone.code).toBe(1);
    expect(alone.errors.join('\n')).toMatch(/exchange parameters at every exploit; run it whole, or give the parts a shared folder/);
    let steps = 0;
    const exchange = { dir: path.join(dir, 'exchange'), timeoutMs: 100 };
    const stopped = await go({ file, out, part: { kind: 'member', index: 0 }, exchange }, { onStep: () => void steps++, shouldStop: () => steps >= 5 });
    expect(stopped.code).toBe(130);
    const resumed = await go({ file, resume: out });
    expect(resumed.code).toBe(1);
    expect(resumed.errors.join('\n')).toMatch(/holds part of a population \(members 0\): continue it with --exchange DIR/);
  });
});
