/**
 * Adam's fused update (stdlib/optimizers/adam-fused.ts) runs on cpu and on wasm; the float64
 * reference tests in optimizers.test.ts check it on cpu. Here: wasm gives the same numbers as cpu
 * bit for bit (one JavaScript loop over each backend's memory), with weight decay both ways, and
 * a step leaks no tensor on wasm (its outputs live in the wasm heap).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { adam, adamw } from '../../stdlib/optimizers/index.js';
import type { OptimizerDef } from '../../stdlib/types.js';
import { cpuForThisFile, values } from './helpers/setup.js';

const run = (opt: OptimizerDef, options: Record<string, number>, steps: number): number[][] => {
  let params = [tf.tensor(Float32Array.from(values(300, 1)), [30, 10]), tf.tensor(Float32Array.from(values(7, 2)))];
  let state = opt.init(params, { lr: 0.01, ...options });
  for (let k = 0; k < steps; k++) {
    const grads = [tf.tensor(Float32Array.from(values(300, 10 + k)), [30, 10]), tf.tensor(Float32Array.from(values(7, 50 + k)))];
    const r = opt.step(params, grads, state, 0.01, { lr: 0.01, ...options });
    for (const t of [...params, ...grads, ...Object.values(state.slots).flat()]) t.dispose();
    params = [...r.params];
    state = r.state;
  }
  const out = [...params, ...Object.values(state.slots).flat()].map((t) => Array.from(t.dataSync()));
  for (const t of [...params, ...Object.values(state.slots).flat()]) t.dispose();
  return out;
};

describe('fused Adam update', () => {
  cpuForThisFile();

  it('wasm equals cpu bit for bit (adam with coupled decay, adamw decoupled), and leaks nothing', async () => {
    const cases: [OptimizerDef, Record<string, number>][] = [
      [adam, { weight_decay: 0.05, beta1: 0.8 }],
      [adamw, { weight_decay: 0.1 }],
    ];
    const cpu = cases.map(([o, opts]) => run(o, opts, 12));
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numTensors;
    const wasm = cases.map(([o, opts]) => run(o, opts, 12));
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    expect(wasm).toEqual(cpu);
    // The parameters moved: agreement is not that of two untouched copies.
    expect(cpu[0]![0]![0]).not.toBeCloseTo(values(300, 1)[0]!, 4);
  });
});
