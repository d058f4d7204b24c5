/**
 * Running statistics whose state the compiler threads through the step (no hidden mutation).
 *
 * Both use the weight α_c = max(1 − momentum, 1/c) for the c-th value: while c < 1/(1 − momentum)
 * this is the plain running average of everything seen so far (so the first value is not biased
 * towards the zero initial state); afterwards it is the exponential moving average.
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, StatefulFnDef } from '../types.js';
import { must, numArg } from './args.js';

/** Added to the variance so the very first value (variance 0) standardizes to 0, not 0/0. */
export const ZSCORE_EPS = 1e-8;

const rate = (owner: string, specs: readonly ArgSpec[], name: string, o: ConstArgs): E.Either<string, number> =>
  E.chain((m: number) => (m >= 0 && m < 1 ? E.right(m) : E.left(`${owner}: ${name} must lie in [0, 1), got ${m}`)))(
    numArg(owner, o, specs, name),
  );

const state = (s: Readonly<Record<string, tf.Tensor>>, key: string): tf.Tensor => {
  const v = s[key];
  if (v === undefined) throw new Error(`internal: running state without '${key}'`);
  return v;
};

const zscoreSpec: readonly ArgSpec[] = [{ name: 'momentum', type: 'number', default: 0.99 }];
const emaSpec: readonly ArgSpec[] = [{ name: 'decay', type: 'number', default: 0.99 }];

/** Weight of the newest value after `count` values (count already includes it). */
const weight = (count: tf.Tensor, momentum: number): tf.Tensor => tf.maximum(tf.scalar(1 - momentum), tf.reciprocal(count));

/**
 * `zscore(x, momentum)`: x standardized by the running mean and deviation of its history,
 * the current value included (West's exponentially weighted mean and variance).
 */
export const zscore: StatefulFnDef = {
  kind: 'stateful',
  name: 'zscore',
  options: zscoreSpec,
  init: () => ({ mean: tf.scalar(0), var: tf.scalar(0), count: tf.scalar(0) }),
  apply: (s, x, o) => {
    const momentum = must(rate('zscore', zscoreSpec, 'momentum', o));
    const out = tf.tidy(() => {
      const count = tf.add(state(s, 'count'), 1);
      const a = weight(count, momentum);
      const delta = tf.sub(x, state(s, 'mean'));
      const mean = tf.add(state(s, 'mean'), tf.mul(a, delta));
      const variance = tf.mul(tf.sub(1, a), tf.add(state(s, 'var'), tf.mul(a, tf.square(delta))));
      const value = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, ZSCORE_EPS)));
      return { value, mean, variance, count };
    });
    return { value: out.value, state: { mean: out.mean, var: out.variance, count: out.count } };
  },
};

/** `ema(x, decay)`: the exponential moving average of x's history, the current value included. */
export const ema: StatefulFnDef = {
  kind: 'stateful',
  name: 'ema',
  options: emaSpec,
  init: () => ({ mean: tf.scalar(0), count: tf.scalar(0) }),
  apply: (s, x, o) => {
    const decay = must(rate('ema', emaSpec, 'decay', o));
    const out = tf.tidy(() => {
      const count = tf.add(state(s, 'count'), 1);
      const mean = tf.add(state(s, 'mean'), tf.mul(weight(count, decay), tf.sub(x, state(s, 'mean'))));
      return { mean, count };
    });
    // The value and the state are separate tensors so disposing the old state never frees the value.
    return { value: out.mean.clone(), state: { mean: out.mean, count: out.count } };
  },
};

/** Checks a stateful function's options before any step runs (the kind has no `infer`). */
export const checkStatefulOptions = (name: string, o: ConstArgs): E.Either<string, null> => {
  const r =
    name === 'zscore' ? rate('zscore', zscoreSpec, 'momentum', o) : name === 'ema' ? rate('ema', emaSpec, 'decay', o) : E.right(0);
  return E.map(() => null)(r);
};
