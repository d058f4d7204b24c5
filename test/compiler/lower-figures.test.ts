/**
 * Figures through the lowering interface (`LoweredProgram.figures`), from compiled `.xreg` text:
 * series names of parameter selections, their values against the state's own tensors (read back
 * independently: element by element, exp and the Euclidean norm computed in float64 here),
 * ensembles drawn per member, expressions over data, and the notes of figures that cannot be drawn.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ELEMENT_SERIES_MAX } from '../../compiler/lower/index.js';
import type { Batches, LoweredFigure, LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { numbers } from './lower-ir.js';
import { lowerText } from './lower-text.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const PROGRAM = `data d = digits()
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
param rho : Scalar = 1
param hv : Tensor[5] = 0
model net(x) = x |> dense(16) |> noise(init: -3) |> relu |> dense(10) |> noise(init: -2)
loss fit = cross_entropy(net(x), y) + rho * sum(hv) over train
update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
update rho + hv by sgd(lr: 0.1) on fit
freeze noise_scales(net)
report every 1 epoch: fit
FIGURES
run 2 epochs batch 64
`;

const withFigures = (...fs: string[]): LoweredProgram => lowerText(PROGRAM.replace('FIGURES', fs.join('\n')));

/** A state whose parameters all differ from their initial values (and from each other). */
const scrambled = (p: LoweredProgram, seed: number): RunState => {
  const s = p.init(0);
  const params: Record<string, tf.Tensor> = {};
  Object.entries(s.params).forEach(([k, t], i) => {
    params[k] = tf.tensor(Float32Array.from(numbers(t.size, seed + i)), t.shape);
  });
  return { ...s, params };
};

const valuesOf = (f: LoweredFigure, s: RunState, batches: Batches = {}): Record<string, number> =>
  Object.fromEntries(f.observables.map((o) => [o.name, o.evaluate(s, batches, 7).value]));

const read = (s: RunState, path: string): Float64Array => Float64Array.from((s.params[path] as tf.Tensor).dataSync());

const figure = (p: LoweredProgram, name: string): LoweredFigure => {
  const f = p.figures.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no figure ${name}`);
  return f;
};

describe('lines of parameter selections', () => {
  it('noise_scales(net): one series per noise layer, named by path, equal to the state', () => {
    const p = withFigures('figure sigmas = lines(noise_scales(net))');
    const f = figure(p, 'sigmas');
    expect(f.kind).toBe('lines');
    expect(f.series).toEqual(['net.noise1.log_sigma', 'net.noise2.log_sigma']);
    expect(f.observables.map((o) => o.name)).toEqual(f.series);
    expect(f.observables.every((o) => o.needs.length === 0)).toBe(true);
    expect(f.notes).toEqual([]);
    const s = scrambled(p, 11);
    const v = valuesOf(f, s);
    for (const path of f.series) expect(v[path]).toBe(read(s, path)[0]);
    // the initial values are the layers' init arguments
    const v0 = valuesOf(f, p.init(3));
    expect(v0).toEqual({ 'net.noise1.log_sigma': -3, 'net.noise2.log_sigma': -2 });
  });

  it('exp(noise_scales(net)) draws σ itself', () => {
    const f = figure(withFigures('figure sigma = lines(exp(noise_scales(net)))'), 'sigma');
    expect(f.series).toEqual(['exp(net.noise1.log_sigma)', 'exp(net.noise2.log_sigma)']);
    const p = withFigures('figure sigma = lines(exp(noise_scales(net)))');
    const s = scrambled(p, 5);
    const v = valuesOf(figure(p, 'sigma'), s);
    for (const path of ['net.noise1.log_sigma', 'net.noise2.log_sigma']) expect(v[`exp(${path})`]).toBeCloseTo(Math.exp(read(s, path)[0] ?? NaN), 5);
  });

  it('named parameters: a scalar once, a small vector per element; logged names stay logged', () => {
    const p = withFigures('figure h = lines(hv, rho, fit)');
    const f = figure(p, 'h');
    expect(f.series).toEqual(['hv[0]', 'hv[1]', 'hv[2]', 'hv[3]', 'hv[4]', 'rho', 'fit']);
    // `fit` is a loss: the report (or the runtime, for the figure) observes it, not the figure
    expect(f.observables.map((o) => o.name)).toEqual(['hv[0]', 'hv[1]', 'hv[2]', 'hv[3]', 'hv[4]', 'rho']);
    const s = scrambled(p, 21);
    const v = valuesOf(f, s);
    const hv = read(s, 'hv');
    hv.forEach((x, i) => expect(v[`hv[${i}]`]).toBe(Math.fround(x)));
    expect(v['rho']).toBe(read(s, 'rho')[0]);
  });

  it('a model name stands for all its parameters; large ones are drawn by their norm', () => {
    const p = withFigures('figure all = lines(net)', 'figure w = lines(weights(net))');
    const w = figure(p, 'w');
    expect(w.series).toEqual(['norm(net.dense1.w)', 'norm(net.dense2.w)']);
    const s = scrambled(p, 31);
    const v = valuesOf(w, s);
    for (const path of ['net.dense1.w', 'net.dense2.w']) {
      const x = read(s, path);
      expect(x.length).toBeGreaterThan(ELEMENT_SERIES_MAX);
      expect(v[`norm(${path})`]).toBeCloseTo(Math.sqrt(x.reduce((a, b) => a + b * b, 0)), 4);
    }
    // dense1.b has 16 elements (drawn per element), dense2.b 10
    const all = figure(p, 'all').series;
    expect(all.filter((n) => n.startsWith('net.dense1.b['))).toHaveLength(16);
    expect(all.filter((n) => n.startsWith('net.dense2.b['))).toHaveLength(10);
    expect(all).toContain('net.noise1.log_sigma');
    expect(all).toContain('norm(net.dense2.w)');
  });

  it('a scalar expression over data is observed over the whole split under the figure name', () => {
    const p = withFigures('figure acc = lines(accuracy(deterministic net(x), y))');
    const f = figure(p, 'acc');
    expect(f.series).toEqual(['acc']);
    expect(f.observables[0]?.needs).toEqual([{ data: 'd', split: 'test', batch: 'all' }]);
    const n = 8;
    const x = Float32Array.from(numbers(n * 64, 2));
    const y = Int32Array.from({ length: n }, (_, i) => i % 10);
    const batches = { 'd.test': { x: tf.tensor(x, [n, 64]), y: tf.tensor(y, [n], 'int32') } };
    const s = scrambled(p, 41);
    // accuracy by hand: argmax of the deterministic network's logits
    const logits = tf.tidy(() => {
      const h = tf.relu(tf.add(tf.matMul(batches['d.test'].x, s.params['net.dense1.w'] as tf.Tensor2D), s.params['net.dense1.b'] as tf.Tensor));
      return tf.add(tf.matMul(h, s.params['net.dense2.w'] as tf.Tensor2D), s.params['net.dense2.b'] as tf.Tensor).arraySync() as number[][];
    });
    const hits = logits.filter((row, i) => row.indexOf(Math.max(...row)) === y[i]).length;
    expect(valuesOf(f, s, batches)['acc']).toBeCloseTo(hits / n, 6);
  });

  it('what cannot be drawn is a note, not a failed lowering', () => {
    const p = withFigures('figure probs = lines(softmax(net(x)))', 'figure none = lines(magnitudes(net))', 'figure sc = scatter(rho, sum(hv))');
    expect(figure(p, 'probs').notes[0]).toContain('has shape [B, 10]');
    expect(figure(p, 'probs').series).toEqual([]);
    expect(figure(p, 'none').notes).toEqual(['figure none: argument 1 selects no parameter']);
    expect(figure(p, 'sc').notes[0]).toContain('scatter of a logged name and an expression');
  });
});

describe('ensembles', () => {
  it('a replicated parameter is drawn once per member', () => {
    const text = `data d = digits()
split d { train: 0.8, test: 0.2 } seed 0
model net(x) = x |> dense(8) |> noise(init: -3) |> relu |> dense(10)
loss fit = cross_entropy(net(x), y) over train
ensemble 3 as avg {
  update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
  update noise_scales(net) by adam(lr: 1e-3) on fit
}
figure sigmas = lines(noise_scales(net))
run 1 epoch batch 64
`;
    const p = lowerText(text);
    const f = figure(p, 'sigmas');
    expect(f.series).toEqual(['m0.net.noise.log_sigma', 'm1.net.noise.log_sigma', 'm2.net.noise.log_sigma']);
    const s = scrambled(p, 51);
    const v = valuesOf(f, s);
    for (const n of f.series) expect(v[n]).toBe(read(s, n)[0]);
    expect(new Set(Object.values(v)).size).toBe(3);
  });
});

describe('reliability', () => {
  it('gives per-example probabilities and labels of the figure arguments', async () => {
    const p = withFigures('figure cal = reliability(softmax(deterministic net(x)), y)');
    const f = figure(p, 'cal');
    expect(f.series).toEqual([]);
    const pred = f.predictions;
    if (pred === undefined) throw new Error(f.notes.join('; '));
    expect(pred.needs).toEqual([{ data: 'd', split: 'test', batch: 'all' }]);
    const n = 6;
    const x = tf.tensor(Float32Array.from(numbers(n * 64, 9)), [n, 64]);
    const y = Int32Array.from([3, 1, 4, 1, 5, 9]);
    const s = scrambled(p, 61);
    const r = await pred.evaluate(s, { 'd.test': { x, y: tf.tensor(y, [n], 'int32') } }, 0);
    expect(r.classes).toBe(10);
    expect(Array.from(r.labels)).toEqual(Array.from(y));
    const want = tf.tidy(() => {
      const h = tf.relu(tf.add(tf.matMul(x, s.params['net.dense1.w'] as tf.Tensor2D), s.params['net.dense1.b'] as tf.Tensor));
      return tf.softmax(tf.add(tf.matMul(h, s.params['net.dense2.w'] as tf.Tensor2D), s.params['net.dense2.b'] as tf.Tensor)).dataSync();
    });
    expect(r.probs.length).toBe(n * 10);
    Array.from(want).forEach((w, i) => expect(r.probs[i]).toBeCloseTo(w, 6));
  });

  it('a reliability of a logged name says it cannot be drawn', () => {
    const f = figure(withFigures('figure cal = reliability(fit, y)'), 'cal');
    expect(f.predictions).toBeUndefined();
    expect(f.notes[0]).toContain('reliability needs its probabilities and labels as expressions');
  });
});
