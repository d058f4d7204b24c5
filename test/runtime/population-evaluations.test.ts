/**
 * What a population evaluates, and that doing less changes nothing: an exploit at the step of a
 * report takes the reported score when the member's state alone decides it (whole splits, no
 * random draw), instead of evaluating the metric again; a noisy metric is evaluated again. The
 * whole-split batches of reports are built once per run and shared by the members. Each saving is
 * checked against the same run with it defeated: records, exploits and final parameters bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import type { LoweredObservable, LoweredProgram, Observed } from '../../compiler/lower/types.js';
import { batchCache, drawBatches } from '../../runtime/exec/batches.js';
import { prepareData, type PreparedData } from '../../runtime/exec/data.js';
import { execute, type ExecResult } from '../../runtime/exec/loop.js';
import type { ReportRecord } from '../../runtime/exec/member.js';
import { stepsPerEpoch } from '../../runtime/exec/schedule.js';
import { disposeState } from '../../runtime/exec/state.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { irOf } from '../compiler/lower-text.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A population whose exploit metric `gen` is reported at every exploit; `net` has dropout. */
const population = (gen: string): string => `data d = correlated_features(base: 2, copies: 2, noise: 0.3, n: 80, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
model net(x) = x |> dense(6) |> relu |> dropout(rate: 0.3) |> dense(1)
metric gen = ${gen}
population 4 {
  hyper wd : Scalar ~ uniform(0.01, 1)
  loss fit = mse(net(x), y) + wd * l2(params(net)) over train
  update params(net) by adam(lr: 0.02) on fit
}
every 4 steps: exploit truncation(0.25) by lowest gen, explore perturb(0.5, 2)
run 12 steps batch 10
report every 4 steps: gen, fit
`;

const load = async (text: string): Promise<{ program: LoweredProgram; data: PreparedData }> => {
  const ir = irOf(text);
  const data = await prepareData(ir, standardLibrary, process.cwd());
  if (E.isLeft(data)) throw new Error(data.left.message);
  const lowered = lowerProgram(ir, standardLibrary, { stepsPerEpoch: stepsPerEpoch(data.right.main.size, ir.run.batch) });
  if (E.isLeft(lowered)) throw new Error(lowered.left.map((d) => d.message).join('\n'));
  return { program: lowered.right, data: data.right };
};

/**
 * The program with `name`'s evaluations counted, wherever it is listed (one wrapped observable per
 * original, so the report and the exploit still meet the same one); `hide` drops what the evaluation
 * says about randomness, which defeats the reuse of reported values.
 */
const counted = (p: LoweredProgram, name: string, hide: boolean): { program: LoweredProgram; count: () => number } => {
  let n = 0;
  const wrapped = new Map<LoweredObservable, LoweredObservable>();
  const wrap = (o: LoweredObservable): LoweredObservable => {
    if (o.name !== name) return o;
    const hit = wrapped.get(o);
    if (hit !== undefined) return hit;
    const strip = (r: Observed): Observed => (hide ? { value: r.value, state: r.state } : r);
    const w: LoweredObservable = {
      ...o,
      evaluate: (s, b, k) => (n++, strip(o.evaluate(s, b, k))),
      evaluateAsync: async (s, b, k) => (n++, strip(await o.evaluateAsync(s, b, k))),
    };
    wrapped.set(o, w);
    return w;
  };
  return { program: { ...p, reports: p.reports.map(wrap), metrics: p.metrics.map(wrap), losses: p.losses.map(wrap) }, count: () => n };
};

interface Ran {
  readonly result: ExecResult;
  readonly records: ReportRecord[];
  readonly params: Record<string, number[]>[];
  readonly evaluations: number;
}

const run = async (text: string, hide: boolean, metric = 'gen'): Promise<Ran> => {
  const { program, data } = await load(text);
  const c = counted(program, metric, hide);
  const records: ReportRecord[] = [];
  const result = await execute(c.program, data, { seed: 5, checkpointEvery: 0, onReport: (r) => void records.push(r) });
  const params = result.states.map((s) => Object.fromEntries(Object.entries(s.params).map(([k, t]) => [k, Array.from(t.dataSync())])));
  result.states.forEach(disposeState);
  return { result, records, params, evaluations: c.count() };
};

const expectSameRun = (a: Ran, b: Ran): void => {
  expect(a.result.outcome).toBe('completed');
  // toEqual tells NaN from numbers and compares every bit of a finite double.
  expect(a.records).toEqual(b.records);
  expect(a.result.exploits).toEqual(b.result.exploits);
  expect(a.params).toEqual(b.params);
};

describe('a population evaluates its exploit metric once per report', () => {
  it('a deterministic whole-split metric reported at the exploit: the report’s value is the score, the run unchanged', async () => {
    const text = population('mse(deterministic net(x), y) over reg');
    const reused = await run(text, false);
    const evaluated = await run(text, true);
    expectSameRun(reused, evaluated);
    // Exploits at steps 4 and 8 (none at the last step), each copying one member.
    expect(reused.result.exploits?.map((e) => e.step)).toEqual([4, 8]);
    // 4 members × 3 reports; evaluated again, 4 members × 2 exploits more.
    expect(reused.evaluations).toBe(12);
    expect(evaluated.evaluations).toBe(20);
  });

  it('a metric that draws noise is evaluated again at the exploit (another key, another value)', async () => {
    const text = population('mse(net(x), y) over reg');
    const a = await run(text, false);
    const b = await run(text, true);
    expectSameRun(a, b);
    expect(a.evaluations).toBe(20);
  });

  it('a loss reported on a mini-batch is evaluated again at the exploit (its batch comes from the member’s cursor)', async () => {
    // No report line: every loss and metric is reported each step, the loss on a batch of 10 drawn
    // from the member's evaluation cursor; no noise, so only the cursor stands in the way.
    const text = population('mse(deterministic net(x), y) over reg')
      .replace(' |> dropout(rate: 0.3)', '')
      .replace('by lowest gen', 'by lowest fit')
      .replace(/report every[^\n]*\n/, '');
    const a = await run(text, false, 'fit');
    const b = await run(text, true, 'fit');
    expectSameRun(a, b);
    expect(a.result.exploits?.map((e) => e.step)).toEqual([4, 8]);
    // 4 members × 12 reports, and 4 × 2 at the exploits.
    expect(a.evaluations).toBe(56);
    expect(b.evaluations).toBe(56);
  });
});

describe('observing says whether it drew randomness', () => {
  it('noise on: random; under deterministic: not', async () => {
    const { program, data } = await load(population('mse(deterministic net(x), y) over reg'));
    const state = program.init(1);
    const noisy = lowerProgram(irOf(population('mse(net(x), y) over reg')), standardLibrary, { stepsPerEpoch: 4 });
    if (E.isLeft(noisy)) throw new Error('does not lower');
    const batches = drawBatches([[{ data: 'd', split: 'reg', batch: 'all' }]], data, {}, 1, 0, 'eval');
    const gen = (p: LoweredProgram): LoweredObservable => {
      const o = p.metrics.find((m) => m.name === 'gen');
      if (o === undefined) throw new Error('no gen');
      return o;
    };
    const quiet = await gen(program).evaluateAsync(state, batches.batches[0] ?? {}, 7);
    const loud = await gen(noisy.right).evaluateAsync(state, batches.batches[0] ?? {}, 7);
    const loud2 = gen(noisy.right).evaluate(state, batches.batches[0] ?? {}, 8);
    expect(quiet.random).toBe(false);
    expect(loud.random).toBe(true);
    expect(loud2.random).toBe(true);
    // And it matters: another key, another value with noise on.
    expect(loud2.value).not.toBe(loud.value);
    batches.dispose();
    disposeState(state);
  });
});

describe('whole-split batches for observing, kept for the run', () => {
  it('built once: a second draw returns the same tensors, a draw’s dispose keeps them, the cache’s disposes them', async () => {
    const { data } = await load(population('mse(deterministic net(x), y) over reg'));
    const cache = batchCache();
    const needs = [[{ data: 'd', split: 'reg', batch: 'all' as const }]];
    const before = tf.memory().numTensors;
    const a = drawBatches(needs, data, {}, 1, 0, 'eval', undefined, cache);
    const b = drawBatches(needs, data, {}, 2, 3, 'eval', undefined, cache);
    const plain = drawBatches(needs, data, {}, 1, 0, 'eval');
    const xa = a.batches[0]?.['d.reg'];
    const xb = b.batches[0]?.['d.reg'];
    expect(xa).toBeDefined();
    expect(xb).toBe(xa);
    // The same examples, the same bits, as a batch built fresh.
    for (const field of Object.keys(plain.batches[0]?.['d.reg'] ?? {}))
      expect(Array.from(xa?.[field]?.dataSync() ?? [])).toEqual(Array.from(plain.batches[0]?.['d.reg']?.[field]?.dataSync() ?? []));
    plain.dispose();
    a.dispose();
    b.dispose();
    expect(Object.values(xa ?? {}).every((t) => !t.isDisposed)).toBe(true);
    cache.dispose();
    expect(Object.values(xa ?? {}).every((t) => t.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('training batches and mini-batches are not kept', async () => {
    const { data } = await load(population('mse(deterministic net(x), y) over reg'));
    const cache = batchCache();
    const before = tf.memory().numTensors;
    const train = drawBatches([[{ data: 'd', split: 'train', batch: 'all' }]], data, {}, 1, 0, 'train', undefined, cache);
    const mini = drawBatches([[{ data: 'd', split: 'reg', batch: 8 }]], data, {}, 1, 0, 'eval', undefined, cache);
    train.dispose();
    mini.dispose();
    expect(tf.memory().numTensors).toBe(before);
    cache.dispose();
  });
});
