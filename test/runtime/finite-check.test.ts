/**
 * The divergence watch (runtime/exec/diverge.ts) reads back only the parameters whose finiteness no
 * kernel recorded: a parameter written by the fused Adam update with every value finite is skipped;
 * one it wrote with a non-finite value, and one written by ordinary operations, are still checked
 * and named.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../compiler/lower/types.js';
import { finiteCheck, firstNonFinite } from '../../runtime/exec/diverge.js';
import { ADAM_KERNEL, fusedAdamAvailable } from '../../stdlib/optimizers/adam-fused.js';

const state = (params: Record<string, tf.Tensor>): RunState => ({ step: 0, params, opt: {}, helpers: {} });
const attrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, lr: 0.1, stepSize: 0.1, bc2Sqrt: 0.04 };
const adamOf = (p: tf.Tensor, g: tf.Tensor): tf.Tensor[] => tf.engine().runKernel(ADAM_KERNEL, { p, g, m: tf.zerosLike(p), v: tf.zerosLike(p) }, { ...attrs }) as tf.Tensor[];

describe('finite check after an update', () => {
  it('skips what the fused Adam update saw finite, and still names what it did not', async () => {
    await tf.setBackend('cpu');
    expect(fusedAdamAvailable()).toBe(true);
    const [w, b] = [tf.ones([4]), tf.ones([2])];
    const before = state({ w, b });
    const [w1] = adamOf(w, tf.ones([4]));
    const [b1] = adamOf(b, tf.ones([2]));
    expect(finiteCheck(before, state({ w: w1!, b: b1! }))).toBeUndefined();

    const [b2] = adamOf(b, tf.tensor([1, NaN]));
    const check = finiteCheck(before, state({ w: w1!, b: b2! }));
    expect(check?.names).toEqual(['b']);
    expect(await firstNonFinite(check!)).toBe('b');

    // Written by an ordinary operation: nothing recorded, so it is read back.
    const plain = finiteCheck(before, state({ w: tf.add(w, 1), b: b1! }));
    expect(plain?.names).toEqual(['w']);
    expect(await firstNonFinite(plain!)).toBeUndefined();
  });
});
