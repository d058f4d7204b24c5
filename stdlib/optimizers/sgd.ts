/**
 * Stochastic gradient descent, exactly as torch.optim.SGD with dampening 0:
 *
 *   g ← g + λ p                                  (weight_decay λ, an L2 term in the gradient)
 *   if μ ≠ 0:  b ← μ b + g                       (b starts at 0, so the first b is g, as in PyTorch)
 *              g ← g + μ b   if nesterov,  else  g ← b
 *   p ← p − η g
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { ConstArgs, OptimizerDef } from '../types.js';
import { decodeWith, lrArg, nonNegative, orFail, scheduleArgs } from './options.js';
import { type ParamUpdate, pureStep, slotAt, zeroSlots } from './state.js';

export interface SgdConfig {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
}

const Options = t.partial({ momentum: t.number, nesterov: t.boolean, weight_decay: t.number });

export const sgdConfig = (options: ConstArgs): E.Either<string, SgdConfig> =>
  pipe(
    decodeWith('sgd', Options, options),
    E.chain((o) =>
      pipe(
        E.Do,
        E.apS('momentum', nonNegative('sgd', 'momentum', o.momentum ?? 0)),
        E.apS('weightDecay', nonNegative('sgd', 'weight_decay', o.weight_decay ?? 0)),
        E.map((c) => ({ ...c, nesterov: o.nesterov ?? false })),
      ),
    ),
    // PyTorch refuses Nesterov without momentum: it would silently be plain SGD.
    E.filterOrElse(
      (c) => !c.nesterov || c.momentum > 0,
      () => 'sgd: nesterov: true needs momentum > 0',
    ),
  );

const BUF = 'momentum_buffer';

export const sgd: OptimizerDef = {
  kind: 'optimizer',
  name: 'sgd',
  validate: (o) => sgdConfig(o),
  options: [
    lrArg,
    { name: 'momentum', type: 'number', default: 0 },
    { name: 'nesterov', type: 'bool', default: false },
    { name: 'weight_decay', type: 'number', default: 0, doc: 'L2 added to the gradient (coupled)' },
    ...scheduleArgs,
  ],
  init: (params, options) => ({
    t: 0,
    slots: orFail(sgdConfig(options)).momentum !== 0 ? zeroSlots(params, [BUF]) : {},
  }),
  step: (params, grads, state, lr, options) => {
    const c = orFail(sgdConfig(options));
    return pureStep('sgd', params, grads, state, (p, g0, i): ParamUpdate => {
      const g = c.weightDecay !== 0 ? tf.add(g0, tf.mul(p, c.weightDecay)) : g0;
      if (c.momentum === 0) return { p: tf.sub(p, tf.mul(g, lr)), slots: {} };
      const b = tf.add(tf.mul(slotAt(state, BUF, i, 'sgd'), c.momentum), g);
      const d = c.nesterov ? tf.add(g, tf.mul(b, c.momentum)) : b;
      return { p: tf.sub(p, tf.mul(d, lr)), slots: { [BUF]: b } };
    });
  },
};
