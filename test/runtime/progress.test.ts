import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { terminalIO } from '../../cli/commands/run.js';
import { evalSubset } from '../../runtime/exec/batches.js';
import { uniformClock } from '../../compiler/lower/clock.js';
import type { MemberState } from '../../runtime/exec/member.js';
import {
  addRateSample,
  etaSeconds,
  formatSeconds,
  latestValues,
  lineDue,
  progressLine,
  recentRate,
  type RateSample,
} from '../../runtime/results/progress.js';
import { summaryTable } from '../../runtime/results/summary.js';
import { backendLine } from '../../runtime/run.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('progress lines', () => {
  it('formats durations, and the ETA from the recent rate, not before warm-up', () => {
    expect(formatSeconds(7.4)).toBe('7s');
    expect(formatSeconds(187)).toBe('3m 07s');
    expect(formatSeconds(3720)).toBe('1h 02m');
    expect(formatSeconds(NaN)).toBe('?');
    // 10 steps/s, 900 to go: 90 s.
    expect(etaSeconds({ done: 100, total: 1000, startedAt: 0, rate: 10 })).toBeCloseTo(90);
    // A resumed run: 400 to go at 10 steps/s.
    expect(etaSeconds({ done: 600, total: 1000, startedAt: 500, rate: 10 })).toBeCloseTo(40);
    expect(etaSeconds({ done: 1, total: 1000, startedAt: 0, rate: 10 })).toBeNaN();
    expect(etaSeconds({ done: 100, total: 1000, startedAt: 0, rate: NaN })).toBeNaN();
    const line = progressLine({ done: 100, total: 1000, startedAt: 0, rate: 10, epoch: 3, member: '', latest: 'fit 0.5000' });
    expect(line).toBe('step 100/1000 (10%) epoch 3 | 10.0 steps/s | ETA 1m 30s | fit 0.5000');
    expect(progressLine({ done: 2, total: 10, startedAt: 0, rate: 0.5, epoch: 0, member: 'member 2/5 ', latest: '' })).toBe(
      'member 2/5 step 2/10 (20%) epoch 0 | 2.0 s/step | ETA ?',
    );
  });

  it('the rate is that of the last 30 s: a run that slows from 100 to 10 steps/s shows 10, not the average', () => {
    // One step every 10 ms for 60 s, then one every 100 ms for 40 s, sampled at every step.
    let w: readonly RateSample[] = [];
    let t = 0;
    let done = 0;
    for (; t < 60_000; t += 10) w = addRateSample(w, { t, done: done++ });
    for (; t < 100_000; t += 100) w = addRateSample(w, { t, done: done++ });
    const average = (done * 1000) / t;
    expect(average).toBeGreaterThan(60);
    expect(recentRate(w)).toBeCloseTo(10, 1);
    // Samples are kept at most every 250 ms and only for the window: about 121 of them.
    expect(w.length).toBeLessThanOrEqual(122);
    expect(w[w.length - 1]!.t - w[0]!.t).toBeLessThanOrEqual(30_000);
    // 20 s later (200 more steps at 10 steps/s, then 100 steps/s for 10 s): the window mixes both.
    for (let i = 0; i < 200; i++, t += 100) w = addRateSample(w, { t, done: done++ });
    for (let i = 0; i < 1000; i++, t += 10) w = addRateSample(w, { t, done: done++ });
    // 30 s of window: 20 s at 10 steps/s, 10 s at 100 steps/s: 1,200 steps in 30 s.
    expect(recentRate(w)).toBeCloseTo(40, 0);
  });

  it('a step slower than the window still gives a rate (the newest older sample is kept)', () => {
    let w: readonly RateSample[] = [];
    w = addRateSample(w, { t: 0, done: 1 });
    w = addRateSample(w, { t: 60_000, done: 2 });
    w = addRateSample(w, { t: 120_000, done: 3 });
    expect(recentRate(w)).toBeCloseTo(1 / 60, 6);
    expect(recentRate([])).toBeNaN();
    expect(recentRate([{ t: 5, done: 1 }])).toBeNaN();
  });

  it('puts losses first and leaves per-member ensemble values out of the latest values', () => {
    const r = { step: 5, epoch: 0, values: { acc: 0.9, 'fit@m0': 1, fit: 0.25, gen: 1e-5, ece: 0.1, rho: 2 } };
    expect(latestValues(r, ['fit', 'gen'])).toBe('fit 0.2500  gen 1.000e-5  acc 0.9000  ece 0.1000');
  });

  it('a plain line is due at the first step, the last, and otherwise at most every 5 s', () => {
    expect(lineDue(1000, undefined, 1, 100)).toBe(true);
    expect(lineDue(5999, 1000, 50, 100)).toBe(false);
    expect(lineDue(6000, 1000, 50, 100)).toBe(true);
    expect(lineDue(1001, 1000, 100, 100)).toBe(true);
  });

  it('without a terminal, progress goes to stderr as rate-limited lines and results to stdout', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = terminalIO(false, () => false, { out: { write: (s) => out.push(s) }, err: { isTTY: false, write: (s) => err.push(s) } }, 60_000);
    io.onStart?.({ total: 50, members: 2, stepsPerEpoch: 10, from: 0, losses: ['fit'] });
    const member = (index: number, step: number): MemberState => ({ index, seed: 0, cursors: {}, state: { step, params: {}, opt: {}, helpers: {} } });
    for (let i = 0; i < 2; i++)
      for (let s = 1; s <= 50; s++) {
        if (s === 50) io.onReport?.({ step: s, epoch: 5, member: i, values: { acc: 0.5, fit: 0.125 } });
        io.onStep?.(member(i, s), { total: 50, members: 2, spe: 10, clock: uniformClock(10) });
      }
    io.info('done');
    expect(out).toEqual(['done\n']);
    // First step and last step only: the 60 s interval never elapses in this test.
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(/^member 1\/2 step 1\/100 \(1%\) epoch 0 /);
    // Step 50 of 10 per epoch is the last step of epoch 4 (0-based).
    expect(err[1]).toMatch(/^member 2\/2 step 100\/100 \(100%\) epoch 4 .*\| fit 0\.1250 {2}acc 0\.5000\n$/);
  });

  it('--quiet prints no progress', () => {
    const err: string[] = [];
    const io = terminalIO(true, () => false, { out: { write: () => true }, err: { isTTY: false, write: (s) => err.push(s) } });
    io.onStart?.({ total: 3, members: 1, stepsPerEpoch: 1, from: 0, losses: [] });
    io.onStep?.({ index: 0, seed: 0, cursors: {}, state: { step: 1, params: {}, opt: {}, helpers: {} } }, { total: 3, members: 1, spe: 1, clock: uniformClock(1) });
    expect(err).toEqual([]);
  });
});

describe('backend line', () => {
  it('says which backend and why in one line, without the resolver noise', () => {
    const detail =
      "WebAssembly (XNNPACK, SIMD, 1 thread); xreg kernels: Conv2DBackpropFilter, BatchMatMul (transpose first) [auto: skipped tensorflow-gpu: @tensorflow/tfjs-node-gpu is not loadable (Cannot find package '@tensorflow/tfjs-node-gpu' imported from /x/select.ts); tensorflow: @tensorflow/tfjs-node is not loadable (Cannot find package '@tensorflow/tfjs-node' imported from /x/select.ts)]";
    const line = backendLine('wasm', detail);
    expect(line).toBe('backend: wasm — WebAssembly (XNNPACK, SIMD, 1 thread); auto: skipped tfjs-node(-gpu) not installed');
    expect(line).not.toContain('\n');
    expect(backendLine('cpu', 'plain JavaScript (slowest)')).toBe('backend: cpu — plain JavaScript (slowest)');
  });
});

describe('evaluation subset', () => {
  it('is every example without a limit or when the split is smaller', () => {
    expect(Array.from(evalSubset(5, undefined, 1))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(evalSubset(5, 10, 1))).toEqual([0, 1, 2, 3, 4]);
  });
  it('is a fixed, sorted set of distinct examples of the limit size, the same for the same seed', () => {
    const a = evalSubset(10_000, 300, 42);
    expect(a.length).toBe(300);
    expect(new Set(a).size).toBe(300);
    expect(Array.from(a)).toEqual([...a].sort((x, y) => x - y));
    expect(a.every((i) => i >= 0 && i < 10_000)).toBe(true);
    expect(Array.from(evalSubset(10_000, 300, 42))).toEqual(Array.from(a));
    expect(Array.from(evalSubset(10_000, 300, 43))).not.toEqual(Array.from(a));
  });
});

describe('summary table', () => {
  it('shows an unrolled ensemble by its aggregates and counts the per-member values', () => {
    const t = summaryTable([{ index: 0, seed: 0, final: { fit: 1, 'fit@m0': 2, 'fit@m1': 3, acc: 0.5 }, best: { fit: 1, 'fit@m0': 2, 'fit@m1': 3, acc: 0.5 } }]);
    expect(t).toMatch(/^value/);
    expect(t).toMatch(/\nfit +1 +1\n/);
    expect(t).not.toContain('@m');
    expect(t).toContain('(2 per-member values of the ensemble in metrics.jsonl)');
  });
});
