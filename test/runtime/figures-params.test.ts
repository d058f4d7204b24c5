/**
 * "ρ per layer over time": a `lines(noise_scales(net))` figure is logged at each report under the
 * parameters' paths, listed in the manifest, and drawn by `xreg plot` as one chart with one line
 * per layer; the logged values are the state's. The reliability figure through the lowered
 * interface gives the bins the direct evaluation of its arguments gives.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../cli/commands/run.js';
import { compileText } from '../../compiler/compile.js';
import { compileExpr } from '../../compiler/lower/eval.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { needsOf } from '../../compiler/lower/needs.js';
import { makeEnv } from '../../compiler/lower/rule.js';
import { Salt } from '../../compiler/lower/seeds.js';
import type { LoweredProgram } from '../../compiler/lower/types.js';
import { drawBatches } from '../../runtime/exec/batches.js';
import { prepareData } from '../../runtime/exec/data.js';
import { execute } from '../../runtime/exec/loop.js';
import type { ReportRecord } from '../../runtime/exec/member.js';
import { stepsPerEpoch } from '../../runtime/exec/schedule.js';
import { disposeState } from '../../runtime/exec/state.js';
import { MetricsRow, ReliabilityFile } from '../../runtime/plot/formats.js';
import { planCharts } from '../../runtime/plot/plan.js';
import { plotRun } from '../../runtime/plot/run.js';
import { readManifest } from '../../runtime/results/manifest.js';
import { reliabilityBins, writeReliability } from '../../runtime/results/reliability.js';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { countItems, legendLabels, xmlProblem } from '../plot/svg.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'xreg-figp-'));
  dirs.push(d);
  return d;
};

const DIGITS = path.resolve('data/digits.csv.gz');
const SIGMAS = ['net.noise1.log_sigma', 'net.noise2.log_sigma'];

const PROGRAM = `seed 0
data d = digits(path: ${JSON.stringify(DIGITS)})
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
model net(x) = x |> dense(32) |> layer_norm(affine: false) |> noise(init: -3) |> relu |> dense(32) |> layer_norm(affine: false) |> noise(init: -2) |> relu |> dense(10)
loss fit = cross_entropy(net(x), y) over train
loss gen = nll(mean[2] softmax(net(x)), y) over reg
update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
update noise_scales(net) by adam(lr: 0.1) on gen every 2 steps
metric acc = accuracy(deterministic net(x), y) over test
run 1 epoch batch 64
report every 10 steps: fit, acc
figure sigmas = lines(noise_scales(net))
figure both = lines(gen, exp(noise_scales(net)))
figure calibration = reliability(mean[2] softmax(net(x)), y)
`;

const rowsOf = (dir: string): MetricsRow[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const r = MetricsRow.decode(JSON.parse(l));
      if (E.isLeft(r)) throw new Error(`bad row ${l}`);
      return r.right;
    });

describe('xreg run logs parameter figures', () => {
  it('series at each report, listed in the manifest, one line per layer in xreg plot', async () => {
    const dir = tmp();
    const file = path.join(dir, 'noise.xreg');
    writeFileSync(file, PROGRAM);
    const out = path.join(dir, 'run');
    const errors: string[] = [];
    const info: string[] = [];
    const code = await runProgram(
      { registry: standardLibrary, file, out, steps: 40, set: {}, checkpointEvery: 1000, argv: [] },
      { info: (l) => info.push(l), error: (l) => errors.push(l), renderDiagnostics: renderAll },
    );
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    // the summary gives a "best" only where the program says which way is better (a loss is
    // minimized); a parameter and a metric with no stated direction get their final value alone
    const table = info.flatMap((l) => l.split('\n'));
    for (const s of SIGMAS) expect(table.find((l) => l.startsWith(`${s} `))?.trim().split(/\s+/)[2]).toBe('-');
    expect(table.find((l) => l.startsWith('acc '))?.trim().split(/\s+/)[2]).toBe('-');
    expect(table.find((l) => l.startsWith('fit '))?.trim().split(/\s+/)[2]).not.toBe('-');
    const m = await readManifest(out);
    expect(m?.figures).toEqual([
      { name: 'sigmas', kind: 'lines', series: SIGMAS },
      { name: 'both', kind: 'lines', series: ['gen', ...SIGMAS.map((s) => `exp(${s})`)] },
      { name: 'calibration', kind: 'reliability', series: [] },
    ]);
    const rows = rowsOf(out);
    expect(rows.map((r) => r.step)).toEqual([10, 20, 30, 40]);
    for (const r of rows) {
      // the report's items, then what the figures add: gen (a loss the report does not list) and the parameters
      expect(Object.keys(r)).toEqual(['step', 'epoch', 'fit', 'acc', ...SIGMAS, 'gen', ...SIGMAS.map((s) => `exp(${s})`)]);
      for (const s of SIGMAS) expect(r[`exp(${s})`]).toBeCloseTo(Math.exp(r[s] as number), 5);
    }
    // the noise scales are trained (lr 0.1 every 2 steps): each layer's line moves, and the two differ
    for (const s of SIGMAS) expect(new Set(rows.map((r) => r[s])).size).toBe(rows.length);
    expect(rows[0]?.[SIGMAS[0] as string]).not.toBe(rows[0]?.[SIGMAS[1] as string]);

    const plot = await plotRun(out);
    if (E.isLeft(plot)) throw new Error(plot.left);
    expect(plot.right.notes).toEqual([]);
    const svg = readFileSync(path.join(out, 'figures', 'figure-sigmas.svg'), 'utf8');
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'line mark')).toBe(SIGMAS.length);
    expect(legendLabels(svg)).toEqual(SIGMAS);
    const both = readFileSync(path.join(out, 'figures', 'figure-both.svg'), 'utf8');
    expect(countItems(both, 'line mark')).toBe(3);

    // the planner alone: one lines job for the figure, its title naming both layers
    const plan = planCharts({ rows, manifest: { ...(m?.figures !== undefined ? { figures: m.figures } : {}), losses: ['fit', 'gen'] } });
    const job = plan.jobs.find((j) => j.file === 'figure-sigmas.svg');
    expect(job?.title).toBe(`sigmas: ${SIGMAS.join(', ')}`);
  });
});

describe('logged values are the state', () => {
  it('the last record of a run holds the final parameters; reliability bins as by direct evaluation', async () => {
    const c = compileText(PROGRAM, 'noise.xreg');
    if (c.ir === undefined) throw new Error(renderAll(c.diagnostics));
    const ir = c.ir;
    const data = await prepareData(ir, standardLibrary);
    if (E.isLeft(data)) throw new Error('no data');
    const lowered = lowerProgram(ir, standardLibrary, { stepsPerEpoch: stepsPerEpoch(data.right.main.size, ir.run.batch) });
    if (E.isLeft(lowered)) throw new Error(renderAll(lowered.left));
    const p: LoweredProgram = lowered.right;
    const records: ReportRecord[] = [];
    const r = await execute(p, data.right, { seed: 3, length: { steps: 12 }, checkpointEvery: 0, evalLimit: 200, onReport: (x) => records.push(x) });
    expect(r.outcome).toBe('completed');
    const state = r.states[0];
    if (state === undefined) throw new Error('no final state');
    try {
      const last = records[records.length - 1];
      expect(last?.step).toBe(12);
      for (const s of SIGMAS) expect(last?.values[s]).toBe((state.params[s] as tf.Tensor).dataSync()[0]);

      // reliability.json through LoweredFigure.predictions …
      const out = tmp();
      const w = await writeReliability(out, p, state, data.right, 3, 200);
      expect(w).toEqual(E.right('reliability.json'));
      const got = ReliabilityFile.decode(JSON.parse(readFileSync(path.join(out, 'reliability.json'), 'utf8')));
      if (E.isLeft(got)) throw new Error('reliability.json does not decode');
      // … and by evaluating the figure's arguments directly, as the runtime did before
      const fig = ir.figures.find((f) => f.kind === 'reliability');
      const [pa, la] = fig?.args ?? [];
      if (pa === undefined || la === undefined) throw new Error('no reliability arguments');
      const pe = compileExpr(pa, standardLibrary, {});
      const le = compileExpr(la, standardLibrary, {});
      if (E.isLeft(pe) || E.isLeft(le)) throw new Error('arguments do not compile');
      const drawn = drawBatches([needsOf([pa, la], 'all')], data.right, {}, 3, 0, 'eval', 200);
      const [probs, labels, k] = tf.tidy(() => {
        const env = makeEnv(state, drawn.batches[0] ?? {}, 3, Salt.observe, { ...state.helpers });
        const pr = pe.right(env);
        return [pr.dataSync().slice(), le.right(env).dataSync().slice(), pr.shape[pr.shape.length - 1] ?? 1] as const;
      });
      drawn.dispose();
      const direct = { ...reliabilityBins(probs, k, labels), title: 'calibration' };
      expect(got.right).toEqual({ ...direct, figures: { calibration: direct } });
      expect(got.right.bins.reduce((a, b) => a + b.count, 0)).toBe(200);
    } finally {
      for (const s of r.states) disposeState(s);
    }
  });
});

describe('several reliability figures', () => {
  it('each is evaluated and drawn from its own predictions (a second one was drawn from the first)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'two.xreg');
    // the second figure divides the logits by 10: its confidences are lower in every bin
    writeFileSync(file, `${PROGRAM}figure flat = reliability(softmax(0.1 * deterministic net(x)), y)\n`);
    const out = path.join(dir, 'run');
    const errors: string[] = [];
    const code = await runProgram(
      { registry: standardLibrary, file, out, steps: 20, set: {}, checkpointEvery: 1000, evalLimit: 200, argv: [] },
      { info: () => undefined, error: (l) => errors.push(l), renderDiagnostics: renderAll },
    );
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    const got = ReliabilityFile.decode(JSON.parse(readFileSync(path.join(out, 'reliability.json'), 'utf8')));
    if (E.isLeft(got)) throw new Error('reliability.json does not decode');
    const figs = got.right.figures ?? {};
    expect(Object.keys(figs)).toEqual(['calibration', 'flat']);
    const meanConf = (f: ReliabilityFile): number => f.bins.reduce((s, b) => s + b.confidence * b.count, 0) / f.bins.reduce((s, b) => s + b.count, 0);
    const [cal, flat] = [figs['calibration'], figs['flat']];
    if (cal === undefined || flat === undefined) throw new Error('a figure is missing');
    expect(meanConf(flat)).toBeLessThan(meanConf(cal) - 0.05);
    // the first figure also stands at the top level, as before
    expect(got.right.bins).toEqual(cal.bins);
    const plot = await plotRun(out);
    if (E.isLeft(plot)) throw new Error(plot.left);
    expect(plot.right.notes).toEqual([]);
    const svgOf = (name: string): string => readFileSync(path.join(out, 'figures', `figure-${name}.svg`), 'utf8');
    expect(svgOf('flat')).not.toEqual(svgOf('calibration').replaceAll('calibration', 'flat'));
  });
});
