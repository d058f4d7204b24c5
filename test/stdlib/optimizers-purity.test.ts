/**
 * Optimizers as pure state transformers: `step` never writes or frees its inputs, returns tensors
 * the caller owns, and leaves nothing else behind. Plus the option checks the compiler relies on.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, optimizers, validateOptimizerOptions } from '../../stdlib/optimizers/index.js';
import type { ConstArgs, OptimizerDef, OptState } from '../../stdlib/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Options that switch on every slot an optimizer can keep. */
const fullOptions: Readonly<Record<string, ConstArgs>> = {
  sgd: { lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.01 },
  adam: { lr: 0.1, weight_decay: 0.01 },
  adamw: { lr: 0.1 },
  rmsprop: { lr: 0.1, momentum: 0.5, centered: true, weight_decay: 0.01 },
};

const slotTensors = (s: OptState): tf.Tensor[] => Object.values(s.slots).flat();

const setup = (opt: OptimizerDef, options: ConstArgs) => {
  const params = [tf.tensor([0.5, -1, 2]), tf.tensor([[1, 2], [3, -4]])];
  const grads = [tf.tensor([0.1, 0.2, -0.3]), tf.tensor([[-1, 0], [0.5, 2]])];
  const s0 = opt.init(params, options);
  // One step first, so the state holds non-zero slots that a mutation would visibly change.
  const first = opt.step(params, grads, s0, 0.1, options);
  tf.dispose(slotTensors(s0));
  return { params: first.params, grads, state: first.state };
};

const snapshot = (ts: readonly tf.Tensor[]): number[][] => ts.map((t) => Array.from(t.dataSync()));

describe.each(optimizers.map((o) => [o.name, o] as const))('%s is pure', (name, opt) => {
  const options = fullOptions[name] ?? { lr: 0.1 };

  it('leaves params, grads and state as they were, and returns new tensors', () => {
    const { params, grads, state } = setup(opt, options);
    const inputs = [...params, ...grads, ...slotTensors(state)];
    const before = snapshot(inputs);
    const out = opt.step(params, grads, state, 0.1, options);
    expect(inputs.every((t) => !t.isDisposed)).toBe(true);
    expect(snapshot(inputs)).toEqual(before);
    expect(state.t).toBe(1);
    expect(out.state.t).toBe(2);
    const outputs = [...out.params, ...slotTensors(out.state)];
    expect(outputs.some((t) => inputs.includes(t))).toBe(false);
    expect(snapshot(out.params)).not.toEqual(snapshot(params));
    expect(Object.keys(out.state.slots).sort()).toEqual(Object.keys(state.slots).sort());
    // Freeing the outputs must not free the inputs (no shared tensors).
    tf.dispose(outputs);
    expect(snapshot(inputs)).toEqual(before);
    tf.dispose(inputs);
  });

  it('leaks no tensor over 100 steps', () => {
    const { params, grads, state } = setup(opt, options);
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const out = opt.step(params, grads, state, 0.1, options);
      tf.dispose([...out.params, ...slotTensors(out.state)]);
    }
    expect(tf.memory().numTensors).toBe(baseline);
    // Threading the state through, freeing each generation once the next exists.
    let cur = { params, state };
    for (let i = 0; i < 100; i++) {
      const next = opt.step(cur.params, grads, cur.state, 0.1, options);
      tf.dispose([...cur.params, ...slotTensors(cur.state)]);
      cur = next;
    }
    expect(tf.memory().numTensors).toBe(baseline);
    expect(cur.state.t).toBe(101);
    tf.dispose([...cur.params, ...slotTensors(cur.state), ...grads]);
  });

  it('a step with no parameters keeps every slot name', () => {
    const s = opt.init([], options);
    const out = opt.step([], [], s, 0.1, options);
    expect(out.params).toEqual([]);
    expect(Object.keys(out.state.slots)).toEqual(Object.keys(s.slots));
  });
});

/** The built-in entry of that name; each carries its own option check (`validate`). */
const builtin = (name: string): OptimizerDef => {
  const o = optimizers.find((x) => x.name === name);
  if (o === undefined) throw new Error(`no optimizer ${name}`);
  return o;
};

describe('validateOptimizerOptions', () => {
  it('accepts the documented defaults and schedules', () => {
    for (const o of optimizers) expect(validateOptimizerOptions(o, { lr: 0.1 })).toEqual(E.right(undefined));
    expect(E.isRight(validateOptimizerOptions(builtin('sgd'), { lr: 0.1, schedule: 'cosine', warmup: 10, min_lr: 0.001 }))).toBe(true);
  });

  const bad: [string, ConstArgs, string][] = [
    ['adam', { lr: 0.1, beta1: 1 }, 'beta1'],
    ['adam', { lr: 0.1, beta2: -0.1 }, 'beta2'],
    ['adamw', { lr: 0.1, eps: 0 }, 'eps'],
    ['sgd', { lr: 0.1, momentum: -1 }, 'momentum'],
    ['sgd', { lr: 0.1, nesterov: true }, 'nesterov'],
    ['sgd', { lr: 0.1, momentum: '0.9' }, 'momentum'],
    ['rmsprop', { lr: 0.1, decay: 1.5 }, 'decay'],
    ['rmsprop', { lr: 0.1, schedule: 'linear' }, 'cosine'],
    ['sgd', { lr: -1 }, 'learning rate'],
  ];
  it.each(bad)('%s rejects %j, naming %s', (name, options, mention) => {
    const r = validateOptimizerOptions(builtin(name), options);
    expect(E.isLeft(r) && r.left.includes(mention)).toBe(true);
  });

  it('step refuses options that validation would reject, rather than computing nonsense', () => {
    const p = [tf.zeros([1])];
    expect(() => adam.step(p, p, { t: 0, slots: {} }, 0.1, { lr: 0.1, beta1: 2 })).toThrow(/internal error/);
    tf.dispose(p);
  });
});
