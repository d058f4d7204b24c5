/**
 * Proximal gradient descent for an L1 penalty (ISTA; with momentum, the inertial form iPiano of
 * Ochs et al. 2014):
 *
 *   p ← S(p − η g + μ (p − p_prev), η λ₁)        S(z, τ) = sign(z) · max(|z| − τ, 0), elementwise
 *
 * (p_prev starts at p.) The momentum acts on the iterates, not on a gradient buffer: a torch-style
 * buffer b = g/(1 − μ) at rest would make the fixed point that of the penalty (1 − μ)·λ₁.
 *
 * The loss it sees is the smooth part only (`mse(...)`, no `l1` term): the penalty λ₁‖p‖₁ lives in
 * the optimizer, whose soft-threshold lands coefficients on exact zeros, which subgradient steps on
 * `l1(p)` never do (they oscillate around 0 with amplitude ≈ η·λ₁).
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { ConstArgs, OptimizerDef, OptState } from '../types.js';
import { check, decodeWith, lrArg, nonNegative, orFail, scheduleArgs } from './options.js';
import { type ParamUpdate, pureStep, slotAt } from './state.js';

export interface ProxSgdConfig {
  readonly l1: number;
  readonly momentum: number;
}

const Options = t.partial({ l1: t.number, momentum: t.number });

export const proxSgdConfig = (options: ConstArgs): E.Either<string, ProxSgdConfig> =>
  pipe(
    decodeWith('prox_sgd', Options, options),
    E.chain((o) =>
      pipe(
        E.Do,
        E.apS('l1', nonNegative('prox_sgd', 'l1', o.l1 ?? 0)),
        E.apS('momentum', pipe(o.momentum ?? 0, (m) => check('prox_sgd', 'momentum', m, m >= 0 && m < 1, 'in [0, 1)'))),
      ),
    ),
  );

/** S(z, τ) = sign(z)·max(|z| − τ, 0): the proximal map of τ‖·‖₁. */
export const softThresholdTensor = (z: tf.Tensor, tau: number): tf.Tensor =>
  tf.mul(tf.sign(z), tf.relu(tf.sub(tf.abs(z), tau)));

const PREV = 'previous';

export const proxSgd: OptimizerDef = {
  kind: 'optimizer',
  name: 'prox_sgd',
  validate: (o) => proxSgdConfig(o),
  options: [
    lrArg,
    { name: 'l1', type: 'number', default: 0, doc: 'weight λ₁ of the penalty λ₁‖p‖₁ applied by soft-thresholding' },
    { name: 'momentum', type: 'number', default: 0, doc: 'inertia μ on the iterates (iPiano), in [0, 1)' },
    ...scheduleArgs,
  ],
  init: (params, options): OptState => ({ t: 0, slots: orFail(proxSgdConfig(options)).momentum !== 0 ? { [PREV]: params.map((p) => tf.clone(p)) } : {} }),
  step: (params, grads, state, lr, options) => {
    const c = orFail(proxSgdConfig(options));
    return pureStep('prox_sgd', params, grads, state, (p, g, i): ParamUpdate => {
      if (c.momentum === 0) return { p: softThresholdTensor(tf.sub(p, tf.mul(g, lr)), lr * c.l1), slots: {} };
      const inertia = tf.mul(tf.sub(p, slotAt(state, PREV, i, 'prox_sgd')), c.momentum);
      return { p: softThresholdTensor(tf.add(tf.sub(p, tf.mul(g, lr)), inertia), lr * c.l1), slots: { [PREV]: p } };
    });
  },
};
