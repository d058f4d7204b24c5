/**
 * RMSprop, exactly as torch.optim.RMSprop (PyTorch's `alpha` is our `decay`; its default is 0.99,
 * ours 0.9 as in TensorFlow and Hinton's lecture):
 *
 *   g ← g + λ p                                  (weight_decay λ, coupled)
 *   v ← α v + (1 − α) g²
 *   centered:   a ← α a + (1 − α) g,   s ← √(v − a²) + ε
 *   otherwise:  s ← √v + ε
 *   μ > 0:      b ← μ b + g / s,   p ← p − η b
 *   otherwise:  p ← p − η g / s
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { ConstArgs, OptimizerDef } from '../types.js';
import { decayRate, decodeWith, lrArg, nonNegative, orFail, positive, scheduleArgs } from './options.js';
import { pureStep, slotAt, zeroSlots } from './state.js';

export interface RmspropConfig {
  readonly decay: number;
  readonly momentum: number;
  readonly eps: number;
  readonly centered: boolean;
  readonly weightDecay: number;
}

const Options = t.partial({
  decay: t.number,
  momentum: t.number,
  eps: t.number,
  centered: t.boolean,
  weight_decay: t.number,
});

export const rmspropConfig = (options: ConstArgs): E.Either<string, RmspropConfig> =>
  pipe(
    decodeWith('rmsprop', Options, options),
    E.chain((o) =>
      pipe(
        E.Do,
        E.apS('decay', decayRate('rmsprop', 'decay', o.decay ?? 0.9)),
        E.apS('momentum', nonNegative('rmsprop', 'momentum', o.momentum ?? 0)),
        E.apS('eps', positive('rmsprop', 'eps', o.eps ?? 1e-8)),
        E.apS('weightDecay', nonNegative('rmsprop', 'weight_decay', o.weight_decay ?? 0)),
        E.map((c) => ({ ...c, centered: o.centered ?? false })),
      ),
    ),
  );

const V = 'square_avg';
const A = 'grad_avg';
const BUF = 'momentum_buffer';

const slotNames = (c: RmspropConfig): string[] => [V, ...(c.centered ? [A] : []), ...(c.momentum > 0 ? [BUF] : [])];

export const rmsprop: OptimizerDef = {
  kind: 'optimizer',
  name: 'rmsprop',
  validate: (o) => rmspropConfig(o),
  options: [
    lrArg,
    { name: 'decay', type: 'number', default: 0.9, doc: "PyTorch's alpha" },
    { name: 'momentum', type: 'number', default: 0 },
    { name: 'eps', type: 'number', default: 1e-8 },
    { name: 'centered', type: 'bool', default: false, doc: 'normalize by the variance instead of the second moment' },
    { name: 'weight_decay', type: 'number', default: 0, doc: 'L2 added to the gradient (coupled)' },
    ...scheduleArgs,
  ],
  init: (params, options) => ({ t: 0, slots: zeroSlots(params, slotNames(orFail(rmspropConfig(options)))) }),
  step: (params, grads, state, lr, options) => {
    const c = orFail(rmspropConfig(options));
    return pureStep('rmsprop', params, grads, state, (p, g0, i) => {
      const g = c.weightDecay !== 0 ? tf.add(g0, tf.mul(p, c.weightDecay)) : g0;
      const v = tf.add(tf.mul(slotAt(state, V, i, 'rmsprop'), c.decay), tf.mul(tf.square(g), 1 - c.decay));
      const a = c.centered
        ? tf.add(tf.mul(slotAt(state, A, i, 'rmsprop'), c.decay), tf.mul(g, 1 - c.decay))
        : undefined;
      // v − a² ≥ 0 in exact arithmetic; the clamp only stops rounding from turning it into NaN.
      const s = tf.add(tf.sqrt(a === undefined ? v : tf.relu(tf.sub(v, tf.square(a)))), c.eps);
      const slots: Record<string, tf.Tensor> = { [V]: v };
      if (a !== undefined) slots[A] = a;
      if (c.momentum > 0) {
        const b = tf.add(tf.mul(slotAt(state, BUF, i, 'rmsprop'), c.momentum), tf.div(g, s));
        slots[BUF] = b;
        return { p: tf.sub(p, tf.mul(b, lr)), slots };
      }
      return { p: tf.sub(p, tf.mul(tf.div(g, s), lr)), slots };
    });
  },
};
