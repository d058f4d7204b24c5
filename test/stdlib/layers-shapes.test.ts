import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions } from '../../stdlib/functions/index.js';
import { fnAsLayer, layers } from '../../stdlib/layers/index.js';
import type { ConstArgs, LayerDef } from '../../stdlib/types.js';
import { seededCtx } from '../helpers/finite-diff.js';
import { expectNoLeak, func, layer, leftMessage, right, useCpu } from './helpers/setup.js';

beforeAll(useCpu);

const infer = (name: string, inShape: readonly number[], args: ConstArgs = {}) => right(layer(name).infer(inShape, args));

/** Applies a layer to a batch built from its inferred params and checks the real output shape. */
const applyShape = (l: LayerDef, inShape: readonly number[], args: ConstArgs, stochastic = true): readonly number[] => {
  const { params, outShape } = right(l.infer(inShape, args));
  const ps = Object.fromEntries(params.map((p) => [p.name, tf.ones([...p.shape])]));
  const out = l.apply(ps, tf.ones([3, ...inShape]), args, seededCtx(1, stochastic));
  expect(out.shape).toEqual([3, ...outShape]);
  const shape = out.shape;
  tf.dispose([out, ...Object.values(ps)]);
  return shape;
};

describe('layer registry', () => {
  it('has unique names that do not collide with functions', () => {
    const names = [...layers.map((l) => l.name), ...functions.map((f) => f.name)];
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('dense', () => {
  it('declares glorot w [in, units] and zero b [units]', () => {
    const r = infer('dense', [5], { units: 3 });
    expect(r.outShape).toEqual([3]);
    expect(r.params).toEqual([
      { name: 'w', shape: [5, 3], init: { kind: 'glorot', fanIn: 5, fanOut: 3 }, role: 'weight' },
      { name: 'b', shape: [3], init: { kind: 'zeros' }, role: 'bias' },
    ]);
  });
  it('flattens the per-example input and treats a scalar as a vector of one', () => {
    expect(infer('dense', [4, 7], { units: 2 }).params[0]?.shape).toEqual([28, 2]);
    expect(infer('dense', [], { units: 2 }).params[0]?.shape).toEqual([1, 2]);
    expect(applyShape(layer('dense'), [4, 7], { units: 2 })).toEqual([3, 2]);
    expect(applyShape(layer('dense'), [], { units: 2 })).toEqual([3, 2]);
  });
  it('omits b without bias and rejects a missing or bad units', () => {
    expect(infer('dense', [5], { units: 3, bias: false }).params.map((p) => p.name)).toEqual(['w']);
    expect(leftMessage(layer('dense').infer([5], {}))).toContain("missing argument 'units'");
    expect(leftMessage(layer('dense').infer([5], { units: 2.5 }))).toContain("'units' must be an integer");
  });
});

describe('conv', () => {
  it('conv1d on [L, C] and [L]: He w [k, C, F], b [F]', () => {
    const r = infer('conv1d', [10, 4], { filters: 8, kernel: 3 });
    expect(r.outShape).toEqual([10, 8]);
    expect(r.params[0]).toEqual({ name: 'w', shape: [3, 4, 8], init: { kind: 'he', fanIn: 12 }, role: 'weight' });
    expect(r.params[1]).toEqual({ name: 'b', shape: [8], init: { kind: 'zeros' }, role: 'bias' });
    expect(infer('conv1d', [10], { filters: 2, kernel: 3, stride: 2, padding: 'valid' }).outShape).toEqual([4, 2]);
    expect(applyShape(layer('conv1d'), [10], { filters: 2, kernel: 3, stride: 2, padding: 'valid' })).toEqual([3, 4, 2]);
    expect(applyShape(layer('conv1d'), [9, 3], { filters: 2, kernel: 3, stride: 2 })).toEqual([3, 5, 2]);
  });
  it('conv2d on [H, W, C] and [H, W]', () => {
    const r = infer('conv2d', [8, 6, 3], { filters: 4, kernel: 3, stride: 2 });
    expect(r.outShape).toEqual([4, 3, 4]);
    expect(r.params[0]?.shape).toEqual([3, 3, 3, 4]);
    expect(r.params[0]?.init).toEqual({ kind: 'he', fanIn: 27 });
    expect(infer('conv2d', [8, 6], { filters: 4, kernel: [3, 1], padding: 'valid' }).outShape).toEqual([6, 6, 4]);
    expect(applyShape(layer('conv2d'), [8, 6], { filters: 4, kernel: [3, 1], padding: 'valid' })).toEqual([3, 6, 6, 4]);
    expect(applyShape(layer('conv2d'), [8, 6, 2], { filters: 4, kernel: 3, stride: 2 })).toEqual([3, 4, 3, 4]);
  });
  it('says why shapes cannot meet', () => {
    expect(leftMessage(layer('conv2d').infer([10], { filters: 2, kernel: 3 }))).toBe(
      'conv2d expects a per-example input of rank 2 or 3, got [10]',
    );
    expect(leftMessage(layer('conv1d').infer([4, 4, 4], { filters: 2, kernel: 3 }))).toBe(
      'conv1d expects a per-example input of rank 1 or 2, got [4, 4, 4]',
    );
    expect(leftMessage(layer('conv1d').infer([2, 1], { filters: 2, kernel: 3, padding: 'valid' }))).toContain('does not fit');
    expect(leftMessage(layer('conv2d').infer([4, 4], { filters: 2, kernel: 3, padding: 'full' }))).toContain(
      '"same", "valid"',
    );
  });
});

describe('pooling and reshaping', () => {
  it('pools [L], [L, C] along L and [H, W, C] along H, W', () => {
    expect(infer('max_pool', [9]).outShape).toEqual([4]);
    expect(infer('avg_pool', [9, 5], { size: 3 }).outShape).toEqual([3, 5]);
    expect(infer('max_pool', [8, 6, 2]).outShape).toEqual([4, 3, 2]);
    for (const name of ['max_pool', 'avg_pool']) {
      expect(applyShape(layer(name), [9], {})).toEqual([3, 4]);
      expect(applyShape(layer(name), [9, 5], { size: 3 })).toEqual([3, 3, 5]);
      expect(applyShape(layer(name), [8, 6, 2], {})).toEqual([3, 4, 3, 2]);
    }
    expect(leftMessage(layer('max_pool').infer([1, 3], {}))).toContain('larger than the input');
    expect(leftMessage(layer('avg_pool').infer([2, 2, 2, 2], {}))).toContain('got [2, 2, 2, 2]');
  });
  it('pools with the right values', () => {
    const x = tf.tensor([1, 5, 2, 4, 3, 0], [1, 6]);
    const mx = layer('max_pool').apply({}, x, { size: 2 }, seededCtx());
    const av = layer('avg_pool').apply({}, x, { size: 3 }, seededCtx());
    const g = layer('global_avg_pool').apply({}, tf.tensor([1, 2, 3, 4, 5, 6], [1, 3, 2]), {}, seededCtx());
    expect(Array.from(mx.dataSync())).toEqual([5, 4, 3]);
    expect(Array.from(av.dataSync())).toEqual([8 / 3, 7 / 3].map(Math.fround));
    expect(Array.from(g.dataSync())).toEqual([3, 4]);
    tf.dispose([x, mx, av, g]);
  });
  it('global_avg_pool, flatten and reshape', () => {
    expect(infer('global_avg_pool', [5, 5, 7]).outShape).toEqual([7]);
    expect(applyShape(layer('global_avg_pool'), [5, 5, 7], {})).toEqual([3, 7]);
    expect(leftMessage(layer('global_avg_pool').infer([5], {}))).toContain('got [5]');
    expect(applyShape(layer('flatten'), [2, 3, 4], {})).toEqual([3, 24]);
    expect(applyShape(layer('reshape'), [2, 3, 4], { shape: [4, -1] })).toEqual([3, 4, 6]);
    expect(leftMessage(layer('reshape').infer([2, 3], { shape: [4, 2] }))).toBe('reshape cannot make [4, 2] from [2, 3] (6 values)');
    expect(leftMessage(layer('reshape').infer([2, 3], { shape: [-1, -1] }))).toContain('cannot make');
  });
});

describe('layer_norm, noise, augmentation: parameters', () => {
  it('layer_norm: gamma ones and beta zeros of the per-example shape, none without affine', () => {
    expect(infer('layer_norm', [4, 3]).params).toEqual([
      { name: 'gamma', shape: [4, 3], init: { kind: 'ones' }, role: 'scale' },
      { name: 'beta', shape: [4, 3], init: { kind: 'zeros' }, role: 'shift' },
    ]);
    expect(infer('layer_norm', [4], { affine: false }).params).toEqual([]);
    expect(leftMessage(layer('layer_norm').infer([1], {}))).toContain('at least 2 values');
  });
  it('noise and mult_noise: scalar log_sigma with a constant init', () => {
    for (const name of ['noise', 'mult_noise']) {
      const r = infer(name, [7], { init: -2 });
      expect(r.outShape).toEqual([7]);
      expect(r.params).toEqual([{ name: 'log_sigma', shape: [], init: { kind: 'constant', value: -2 }, role: 'noise_scale' }]);
      expect(infer(name, [7]).params[0]?.init).toEqual({ kind: 'constant', value: -3 });
      expect(layer(name).stochastic).toBe(true);
    }
    expect(leftMessage(layer('dropout').infer([3], { rate: 1 }))).toContain('rate must lie in [0, 1)');
  });
  it('augmentation: scalar magnitude with its default init, images only', () => {
    const defaults: Record<string, number> = { translate: 1, rotate: 5, shear: 0.1 };
    for (const [name, init] of Object.entries(defaults)) {
      expect(infer(name, [6, 5, 3])).toEqual({
        params: [{ name: 'magnitude', shape: [], init: { kind: 'constant', value: init }, role: 'magnitude' }],
        outShape: [6, 5, 3],
      });
      expect(applyShape(layer(name), [6, 5], {})).toEqual([3, 6, 5]);
      expect(applyShape(layer(name), [6, 5, 2], {})).toEqual([3, 6, 5, 2]);
      expect(leftMessage(layer(name).infer([30], {}))).toBe(`${name} expects a per-example image [H, W] or [H, W, C], got [30]`);
    }
  });
});

describe('activations as pipeline stages', () => {
  it('a one-tensor function is a parameter-less layer; a two-tensor one is not', () => {
    const relu = fnAsLayer(func('relu'));
    const clip = fnAsLayer(func('clip'));
    expect(relu).toBeDefined();
    expect(fnAsLayer(func('cross_entropy'))).toBeUndefined();
    if (relu === undefined || clip === undefined) return;
    expect(right(relu.infer([4, 2], {}))).toEqual({ params: [], outShape: [4, 2] });
    const softmax = fnAsLayer(func('softmax'));
    expect(softmax === undefined ? undefined : right(softmax.infer([10], {})).outShape).toEqual([10]);
    const x = tf.tensor([[-1, 0.5, 2]]);
    const y = clip.apply({}, x, { lo: 0, hi: 1 }, seededCtx());
    expect(Array.from(y.dataSync())).toEqual([0, 0.5, 1]);
    expect(leftMessage(clip.infer([3], { lo: 2, hi: 1 }))).toContain('must not exceed');
    tf.dispose([x, y]);
  });
});

describe('no tensor leaks', () => {
  const cases: readonly [string, readonly number[], ConstArgs][] = [
    ['dense', [5], { units: 3 }],
    ['conv1d', [6, 2], { filters: 3, kernel: 3 }],
    ['conv2d', [6, 5], { filters: 3, kernel: 3 }],
    ['max_pool', [6, 2], {}],
    ['avg_pool', [6, 4, 2], {}],
    ['global_avg_pool', [6, 2], {}],
    ['flatten', [2, 3], {}],
    ['reshape', [2, 3], { shape: [3, 2] }],
    ['layer_norm', [5], {}],
    ['noise', [5], {}],
    ['mult_noise', [5], {}],
    ['dropout', [5], {}],
    ['translate', [5, 4], {}],
    ['rotate', [5, 4, 2], {}],
    ['shear', [5, 4], {}],
  ];
  it.each(cases)('%s apply frees every intermediate', (name, inShape, args) => {
    const l = layer(name);
    const { params } = right(l.infer(inShape, args));
    const ps = Object.fromEntries(params.map((p) => [p.name, tf.ones([...p.shape])]));
    const x = tf.ones([2, ...inShape]);
    expectNoLeak(() => l.apply(ps, x, args, seededCtx()));
    expectNoLeak(() => l.apply(ps, x, args, seededCtx(1, false)));
    tf.dispose([x, ...Object.values(ps)]);
  });
});
