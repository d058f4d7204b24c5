import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions } from '../../stdlib/functions/index.js';
import type { FnDef } from '../../stdlib/types.js';
import { expectAllClose } from '../helpers/finite-diff.js';
import { expectNoLeak, func, leftMessage, right, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

const run = (f: FnDef, xs: readonly tf.Tensor[], o = {}): number[] => tf.tidy(() => Array.from(f.apply(xs, o).dataSync()));

describe('elementwise functions against Math', () => {
  const xs = Float64Array.from(values(12, 3), (v) => 3 * v);
  const pos = xs.map((v) => Math.abs(v) + 0.1);
  const softplus = (v: number): number => Math.log1p(Math.exp(v));
  const cases: readonly [string, (v: number) => number, Float64Array][] = [
    ['relu', (v) => Math.max(v, 0), xs],
    ['tanh', Math.tanh, xs],
    ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), xs],
    ['softplus', softplus, xs],
    ['exp', Math.exp, xs],
    ['log', Math.log, pos],
    ['sqrt', Math.sqrt, pos],
    ['abs', Math.abs, xs],
    ['sign', Math.sign, xs],
    ['square', (v) => v * v, xs],
  ];
  it.each(cases)('%s', (name, f, input) => {
    const got = tf.tidy(() => run(func(name), [tf.tensor(Float32Array.from(input), [3, 4])]));
    expectAllClose(got, Array.from(input, (v) => f(Math.fround(v))), 1e-5, 1e-6);
    expect(right(func(name).infer([['B', 4]], {}))).toEqual(['B', 4]);
  });
  it('clip bounds values and checks its options', () => {
    expect(run(func('clip'), [tf.tensor([-2, 0.3, 5])], { lo: -1, hi: 1 })).toEqual([-1, Math.fround(0.3), 1]);
    expect(leftMessage(func('clip').infer([[3]], { lo: 0 }))).toContain("missing argument 'hi'");
  });
  it('only sign and stop_gradient are marked non-differentiable among activations (eye is a constant)', () => {
    expect(functions.filter((f) => f.kind === 'fn' && !f.differentiable).map((f) => f.name).sort()).toEqual([
      'accuracy',
      'calibration_error',
      'eye',
      'sign',
      'stop_gradient',
    ]);
  });
});

describe('softmax and log_softmax', () => {
  const logits = [
    [1, 2, 3],
    [1000, 1001, 999],
  ];
  const ref = logits.map((row) => {
    const m = Math.max(...row);
    const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
    return row.map((v) => v - m - Math.log(z));
  });
  it('normalize over the last axis, stable for large logits', () => {
    expectAllClose(run(func('log_softmax'), [tf.tensor(logits)]), ref.flat(), 1e-5, 1e-5);
    expectAllClose(run(func('softmax'), [tf.tensor(logits)]), ref.flat().map(Math.exp), 1e-5, 1e-6);
    expect(right(func('softmax').infer([['B', 10]], {}))).toEqual(['B', 10]);
    expect(leftMessage(func('softmax').infer([[]], {}))).toContain('rank ≥ 1');
  });
});

describe('reductions and reshaping', () => {
  const v = values(6, 8);
  const x = (): tf.Tensor => tf.tensor(Float32Array.from(v), [2, 3]);
  const f32 = Array.from(v, Math.fround);
  it('sum, mean, norm, l1, l2 over every element', () => {
    const sum = f32.reduce((a, b) => a + b, 0);
    const sq = f32.reduce((a, b) => a + b * b, 0);
    const expected: Record<string, number> = {
      sum,
      mean: sum / 6,
      norm: Math.sqrt(sq),
      l1: f32.reduce((a, b) => a + Math.abs(b), 0),
      l2: sq,
    };
    for (const [name, e] of Object.entries(expected)) {
      expectAllClose(run(func(name), [x()]), [e], 1e-5, 1e-6);
      expect(right(func(name).infer([['B', 3]], {}))).toEqual([]);
    }
  });
  it('flat and transpose', () => {
    expect(run(func('flat'), [x()])).toEqual(f32);
    expect(right(func('flat').infer([[4, 3]], {}))).toEqual([12]);
    expect(right(func('flat').infer([['B', 3]], {}))).toEqual(['B*3']);
    expect(run(func('transpose'), [x()])).toEqual([0, 3, 1, 4, 2, 5].map((i) => f32[i]));
    expect(right(func('transpose').infer([[4, 3]], {}))).toEqual([3, 4]);
    expect(leftMessage(func('transpose').infer([[4]], {}))).toContain('rank ≥ 2');
    expect(leftMessage(func('sum').infer([[4], [4]], {}))).toContain('takes 1 tensor argument');
  });
  it('frees every intermediate', () => {
    const t = x();
    for (const f of functions) if (f.kind === 'fn' && f.tensorArgs.length === 1 && f.name !== 'smoothness' && f.name !== 'bspline' && f.name !== 'confidence_penalty') {
      expectNoLeak(() => f.apply([t], { lo: 0, hi: 1 }));
    }
    t.dispose();
  });
});
