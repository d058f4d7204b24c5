/**
 * Where one member of `programs/noise/pbt.xreg` spends an epoch, interleaved in one process on
 * wasm (as `xreg run`): `npx tsx bench/pool/evaluations.ts [--rounds 5]`.
 *
 * - a training step (every rule of a step, batch 512), times the steps in an epoch;
 * - the epoch's report (`fit, val_acc, acc`: every split whole, 70,000 examples) with its batches
 *   gathered and uploaded per report (before), and with the run's kept batches (after; the first
 *   report of a run builds them);
 * - the exploit's evaluation of `val_acc` (6,000 examples), which an exploit at a report's step
 *   no longer makes (the report's value is the score).
 *
 * Prints the median CPU ms of each over the rounds, the share of an epoch, and the load average.
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { compileText } from '../../compiler/compile.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { selectBackend } from '../../runtime/backend/select.js';
import { batchCache } from '../../runtime/exec/batches.js';
import { prepareData } from '../../runtime/exec/data.js';
import { reportPlan } from '../../runtime/exec/loop.js';
import { evaluateReport, freshMember, runStep, type MemberState, type RunContext } from '../../runtime/exec/member.js';
import { runClock, totalSteps } from '../../runtime/exec/schedule.js';
import { finalSpe } from '../../compiler/lower/clock.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { intOption } from '../wasm-timing.js';

const rounds = intOption('rounds', 5);
const backend = await selectBackend('wasm');
if (E.isLeft(backend)) throw new Error(backend.left);
const file = path.resolve('programs/noise/pbt.xreg');
const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};
const c = compileText(readFileSync(file, 'utf8'), file, { readFile, overrides: {}, registry: standardLibrary });
if (c.ir === undefined) throw new Error('pbt.xreg does not compile');
const data = await prepareData(c.ir, standardLibrary);
if (E.isLeft(data)) throw new Error(data.left.message);
const clock = runClock(data.right.main.size, c.ir.run.batch, data.right.growth[data.right.main.key]);
const spe = finalSpe(clock);
const lowered = lowerProgram(c.ir, standardLibrary, { stepsPerEpoch: spe, clock });
if (E.isLeft(lowered)) throw new Error(lowered.left.map((d) => d.message).join('\n'));
const program = lowered.right;
const total = totalSteps(c.ir.run.length, clock);
const report = reportPlan(program, total);
const kept = batchCache();
const base: RunContext = { program, data: data.right, clock, total, report, multi: true };
const withKept: RunContext = { ...base, evalBatches: kept };
const valAcc = report.items.find((o) => o.name === 'val_acc');
if (valAcc === undefined) throw new Error('no val_acc');
const exploitCtx: RunContext = { ...withKept, report: { every: report.every, items: [valAcc] } };

let member: MemberState = freshMember(program, 0, 0);
/** CPU ms of `f` (this process; the backend runs on this thread). */
const cpu = async (f: () => Promise<void> | void): Promise<number> => {
  const t0 = process.cpuUsage();
  await f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
};
const step = (): void => {
  const r = runStep(base, member);
  member = r.member;
};
const evaluate = (ctx: RunContext) => async (): Promise<void> => {
  const r = await evaluateReport(ctx, member);
  member = { ...member, cursors: r.cursors };
};

const times = new Map<string, number[]>();
const note = (name: string, ms: number): void => void times.set(name, [...(times.get(name) ?? []), ms]);
const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
// Warm-up: a few steps, and the kept batches built once (a run's first report).
for (let i = 0; i < 3; i++) step();
await evaluate(withKept)();
for (let r = 0; r < rounds; r++) {
  let steps = 0;
  for (let i = 0; i < 5; i++) steps += await cpu(step);
  note('training step', steps / 5);
  // Alternate which goes first, so that neither always follows the other.
  const pair: [string, RunContext][] = [
    ['report, batches gathered per report (before)', base],
    ['report, batches kept for the run (after)', withKept],
  ];
  for (const [name, ctx] of r % 2 === 0 ? pair : pair.reverse()) note(name, await cpu(evaluate(ctx)));
  note('exploit: val_acc evaluated again (before; 0 after)', await cpu(evaluate(exploitCtx)));
  console.error(`round ${r + 1}/${rounds} (load ${loadavg()[0]?.toFixed(2)})`);
}
kept.dispose();

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};
const m = (name: string): number => median(times.get(name) ?? []);
const stepMs = m('training step');
const before = spe * stepMs + m('report, batches gathered per report (before)') + m('exploit: val_acc evaluated again (before; 0 after)');
const after = spe * stepMs + m('report, batches kept for the run (after)');
console.log(`one member of pbt.xreg, ${spe} steps per epoch; ${rounds} rounds; backend ${backend.right.name}; node ${process.version}`);
console.log(`load average: ${loadBefore} before, ${loadavg().map((x) => x.toFixed(2)).join(' ')} after`);
console.log('| piece | median CPU ms |');
console.log('|---|---:|');
for (const name of times.keys()) console.log(`| ${name} | ${m(name).toFixed(1)} |`);
console.log(`| epoch of a member (${spe} steps, a report, an exploit), before | ${before.toFixed(0)} |`);
console.log(`| epoch of a member, after | ${after.toFixed(0)} |`);
console.log(`after / before: ${(after / before).toFixed(3)}`);
