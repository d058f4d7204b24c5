/**
 * Adam and AdamW, exactly as torch.optim.Adam / torch.optim.AdamW (amsgrad off, maximize off),
 * with k = t + 1 the number of this update:
 *
 *   Adam:   g ← g + λ p                          (weight_decay λ, coupled: an L2 term in the gradient)
 *   AdamW:  p ← p (1 − η λ)                      (decoupled decay, Loshchilov & Hutter; g untouched)
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   p ← p − (η / (1 − β₁ᵏ)) · m / (√v / √(1 − β₂ᵏ) + ε)
 *
 * The last line is PyTorch's arrangement of the paper's p ← p − η m̂ / (√v̂ + ε) with m̂ = m/(1 − β₁ᵏ),
 * v̂ = v/(1 − β₂ᵏ): equal in exact arithmetic, and kept so that float32 rounding follows torch's.
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { ConstArgs, OptimizerDef } from '../types.js';
import { decayRate, decodeWith, lrArg, nonNegative, orFail, positive, scheduleArgs } from './options.js';
import { pureStep, slotAt, zeroSlots } from './state.js';
import { ADAM_KERNEL, fusedAdamAvailable, type AdamKernelAttrs } from './adam-fused.js';

export interface AdamConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
}

const Options = t.partial({ beta1: t.number, beta2: t.number, eps: t.number, weight_decay: t.number });

const config =
  (name: string, defaultDecay: number, decoupled: boolean) =>
  (options: ConstArgs): E.Either<string, AdamConfig> =>
    pipe(
      decodeWith(name, Options, options),
      E.chain((o) =>
        pipe(
          E.Do,
          E.apS('beta1', decayRate(name, 'beta1', o.beta1 ?? 0.9)),
          E.apS('beta2', decayRate(name, 'beta2', o.beta2 ?? 0.999)),
          E.apS('eps', positive(name, 'eps', o.eps ?? 1e-8)),
          E.apS('weightDecay', nonNegative(name, 'weight_decay', o.weight_decay ?? defaultDecay)),
          E.map((c) => ({ ...c, decoupled })),
        ),
      ),
    );

export const adamConfig = config('adam', 0, false);
export const adamwConfig = config('adamw', 0.01, true);

const M = 'exp_avg';
const V = 'exp_avg_sq';

const make = (name: string, defaultDecay: number, decoupled: boolean, decayDoc: string): OptimizerDef => {
  const cfg = config(name, defaultDecay, decoupled);
  return {
    kind: 'optimizer',
    name,
    validate: cfg,
    options: [
      lrArg,
      { name: 'beta1', type: 'number', default: 0.9 },
      { name: 'beta2', type: 'number', default: 0.999 },
      { name: 'eps', type: 'number', default: 1e-8 },
      { name: 'weight_decay', type: 'number', default: defaultDecay, doc: decayDoc },
      ...scheduleArgs,
    ],
    init: (params, options) => {
      orFail(cfg(options));
      return { t: 0, slots: zeroSlots(params, [M, V]) };
    },
    step: (params, grads, state, lr, options) => {
      const c = orFail(cfg(options));
      const k = state.t + 1;
      // Scalars stay in float64 until they meet a tensor, so only the tensor arithmetic rounds.
      const stepSize = lr / (1 - c.beta1 ** k);
      const bc2Sqrt = Math.sqrt(1 - c.beta2 ** k);
      if (fusedAdamAvailable()) {
        const attrs: AdamKernelAttrs = { ...c, lr, stepSize, bc2Sqrt };
        return pureStep(name, params, grads, state, (p, g, i) => {
          const [np, m, v] = tf.engine().runKernel(ADAM_KERNEL, { p, g, m: slotAt(state, M, i, name), v: slotAt(state, V, i, name) }, { ...attrs }) as tf.Tensor[];
          if (np === undefined || m === undefined || v === undefined) throw new Error('internal error: the fused Adam update returned too few tensors');
          return { p: np, slots: { [M]: m, [V]: v } };
        });
      }
      return pureStep(name, params, grads, state, (p0, g0, i) => {
        const g = !c.decoupled && c.weightDecay !== 0 ? tf.add(g0, tf.mul(p0, c.weightDecay)) : g0;
        const p = c.decoupled && c.weightDecay !== 0 ? tf.mul(p0, 1 - lr * c.weightDecay) : p0;
        const m = tf.add(tf.mul(slotAt(state, M, i, name), c.beta1), tf.mul(g, 1 - c.beta1));
        const v = tf.add(tf.mul(slotAt(state, V, i, name), c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), c.eps);
        return { p: tf.sub(p, tf.mul(tf.div(m, denom), stepSize)), slots: { [M]: m, [V]: v } };
      });
    },
  };
};

export const adam = make('adam', 0, false, 'L2 added to the gradient (coupled), as torch.optim.Adam');
export const adamw = make('adamw', 0.01, true, 'decoupled: p ← p(1 − lr·weight_decay) before the Adam step');
