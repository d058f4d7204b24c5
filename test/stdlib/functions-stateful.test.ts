import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkStatefulOptions } from '../../stdlib/functions/index.js';
import { ZSCORE_EPS } from '../../stdlib/functions/zscore.js';
import type { StatefulFnDef } from '../../stdlib/types.js';
import { expectAllClose } from '../helpers/finite-diff.js';
import { stateful, useCpu, values } from './helpers/setup.js';

beforeAll(useCpu);

/** Feeds xs through a stateful function, disposing each old state, and returns the values. */
const feed = (f: StatefulFnDef, xs: readonly number[], options: Record<string, number>): number[] => {
  let state = f.init(options);
  const out: number[] = [];
  for (const x of xs) {
    const xt = tf.scalar(x);
    const r = f.apply(state, xt, options);
    tf.dispose([xt, ...Object.values(state)]);
    state = r.state;
    out.push(r.value.dataSync()[0] ?? Number.NaN);
    r.value.dispose();
  }
  tf.dispose(Object.values(state));
  return out;
};

const xs = Array.from(values(40, 9), (v, i) => 3 + 2 * v + 0.05 * i);

describe('zscore', () => {
  it('matches a float64 loop: running mean and variance over the history, then standardize', () => {
    for (const momentum of [0.9, 0.5]) {
      const ref: number[] = [];
      let [m, v] = [0, 0];
      xs.forEach((x, i) => {
        const a = Math.max(1 - momentum, 1 / (i + 1));
        const d = x - m;
        m += a * d;
        v = (1 - a) * (v + a * d * d);
        ref.push((x - m) / Math.sqrt(v + ZSCORE_EPS));
      });
      expectAllClose(feed(stateful('zscore'), xs, { momentum }), ref, 2e-3, 2e-3);
    }
  });
  it('while the history is short it is the plain z-score of everything seen', () => {
    const out = feed(stateful('zscore'), [1, 3, 2], { momentum: 0.99 });
    const mean = 2;
    const sd = Math.sqrt(2 / 3);
    expectAllClose(out, [0, 1, (2 - mean) / sd], 1e-4, 1e-4);
  });
  it('is pure: applying to the same state twice gives the same value and leaves the state intact', () => {
    const f = stateful('zscore');
    const s0 = f.init({});
    const s1 = f.apply(s0, tf.scalar(5), {}).state;
    const before = Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, v.dataSync()[0]]));
    const a = f.apply(s1, tf.scalar(7), {});
    const b = f.apply(s1, tf.scalar(7), {});
    expect(a.value.dataSync()[0]).toBe(b.value.dataSync()[0]);
    expect(Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, v.dataSync()[0]]))).toEqual(before);
  });
});

describe('ema', () => {
  it('matches a float64 loop', () => {
    const decay = 0.8;
    const ref: number[] = [];
    let m = 0;
    xs.forEach((x, i) => {
      m += Math.max(1 - decay, 1 / (i + 1)) * (x - m);
      ref.push(m);
    });
    expectAllClose(feed(stateful('ema'), xs, { decay }), ref, 1e-5, 1e-5);
  });
  it('starts at the first value, not at zero', () => {
    expectAllClose(feed(stateful('ema'), [4, 6], {}), [4, 5], 1e-6, 1e-6);
  });
  it('rejects a decay outside [0, 1)', () => {
    expect(checkStatefulOptions('ema', { decay: 1 })).toEqual({ _tag: 'Left', left: 'ema: decay must lie in [0, 1), got 1' });
    expect(checkStatefulOptions('zscore', {})).toEqual({ _tag: 'Right', right: null });
  });
});

describe('no tensor leaks', () => {
  it.each(['zscore', 'ema'])('%s keeps only its returned state and value', (name) => {
    const f = stateful(name);
    const before = tf.memory().numTensors;
    feed(f, [1, 2, 3], {});
    expect(tf.memory().numTensors).toBe(before);
  });
});
