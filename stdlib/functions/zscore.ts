/**
 * Running statistics whose state the compiler threads through the step (no hidden mutation).
 *
 * Both use the weight α_c = max(1 − momentum, 1/c) for the c-th value: while c < 1/(1 − momentum)
 * this is the plain running average of everything seen so far (so the first value is not biased
 * towards the zero initial state); afterwards it is the exponential moving average.
 *
 * zscore has two other readings of "standardize against the history" (the SRN paper does not say
 * which it means), chosen by option:
 * - `window: N`: mean and deviation of the last N values only (the current one included);
 * - `freeze: N`: mean and deviation of the first N values, then fixed, so that after N values the
 *   z-score is an affine map of the raw value and keeps its level. Under the running or windowed
 *   reading any steadily falling signal standardizes to a constant (−√(1 − α) for the running one,
 *   about −√3 for a window): the level is lost (docs/results-srn.md, "The collapse").
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

const zscoreSpec: readonly ArgSpec[] = [
  { name: 'momentum', type: 'number', default: 0.99 },
  { name: 'window', type: 'int', default: 0, doc: 'z over the last N values (0: the running reading)' },
  { name: 'freeze', type: 'int', default: 0, doc: 'statistics of the first N values, then fixed (0: never frozen)' },
];

/** A count option: a whole number ≥ 0 (0 switches the reading off). */
const count = (name: string, o: ConstArgs): E.Either<string, number> =>
  E.chain((n: number) => (Number.isInteger(n) && n >= 0 ? E.right(n) : E.left(`zscore: ${name} must be a whole number ≥ 0, got ${n}`)))(
    numArg('zscore', o, zscoreSpec, name),
  );

const emaSpec: readonly ArgSpec[] = [{ name: 'decay', type: 'number', default: 0.99 }];

interface ZscoreOptions {
  readonly momentum: number;
  readonly window: number;
  readonly freeze: number;
}

/** The options together: window and freeze are two other readings, so at most one may be set. */
const zscoreOptions = (o: ConstArgs): E.Either<string, ZscoreOptions> => {
  const m = rate('zscore', zscoreSpec, 'momentum', o);
  const w = count('window', o);
  const f = count('freeze', o);
  if (E.isLeft(m)) return m;
  if (E.isLeft(w)) return w;
  if (E.isLeft(f)) return f;
  return w.right > 0 && f.right > 0
    ? E.left('zscore: give window or freeze, not both')
    : E.right({ momentum: m.right, window: w.right, freeze: f.right });
};

/** Weight of the newest value after `count` values (count already includes it). */
const weight = (count: tf.Tensor, momentum: number): tf.Tensor => tf.maximum(tf.scalar(1 - momentum), tf.reciprocal(count));

/** Standardizes x by a mean and variance (ε keeps a single value, variance 0, at z = 0). */
const standardize = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor =>
  tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, ZSCORE_EPS)));

/**
 * The running (and frozen) reading: West's weighted mean and variance, the current value included.
 * Frozen after `freeze` values: the newest value then gets weight 0 and the statistics stay put.
 */
const running = (s: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor, o: ZscoreOptions): Record<string, tf.Tensor> =>
  tf.tidy(() => {
    const c = tf.add(state(s, 'count'), 1);
    const a = o.freeze > 0 ? tf.where(tf.lessEqual(c, o.freeze), tf.reciprocal(c), tf.scalar(0)) : weight(c, o.momentum);
    const delta = tf.sub(x, state(s, 'mean'));
    const mean = tf.add(state(s, 'mean'), tf.mul(a, delta));
    const variance = tf.mul(tf.sub(1, a), tf.add(state(s, 'var'), tf.mul(a, tf.square(delta))));
    return { value: standardize(x, mean, variance), mean, var: variance, count: c };
  });

/** The windowed reading: the last `window` values in a ring (oldest first), the filled ones averaged. */
const windowed = (s: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor, o: ZscoreOptions): Record<string, tf.Tensor> =>
  tf.tidy(() => {
    const c = tf.add(state(s, 'count'), 1);
    const buf = tf.concat([tf.slice(state(s, 'buf'), [1], [o.window - 1]), tf.reshape(x, [1])]);
    // Slot i (0 = oldest) holds a value once the count reaches window − i.
    const filled = tf.cast(tf.greaterEqual(tf.add(tf.range(0, o.window), c), o.window), 'float32');
    const n = tf.sum(filled);
    const mean = tf.div(tf.sum(tf.mul(filled, buf)), n);
    const variance = tf.div(tf.sum(tf.mul(filled, tf.square(tf.sub(buf, mean)))), n);
    return { value: standardize(x, mean, variance), buf, count: c };
  });

/**
 * `zscore(x, momentum, window, freeze)`: x standardized by the mean and deviation of its history,
 * the current value included (the running reading by default; see the file comment).
 */
export const zscore: StatefulFnDef = {
  kind: 'stateful',
  name: 'zscore',
  options: zscoreSpec,
  check: (o) => zscoreOptions(o),
  checkHint: 'window: N (the last N values) and freeze: N (the first N values, then fixed) are two readings of the history; 0 switches one off',
  init: (o): Record<string, tf.Tensor> => {
    const w = must(zscoreOptions(o)).window;
    return w > 0 ? { buf: tf.zeros([w]), count: tf.scalar(0) } : { mean: tf.scalar(0), var: tf.scalar(0), count: tf.scalar(0) };
  },
  apply: (s, x, o) => {
    const opts = must(zscoreOptions(o));
    const { value, ...next } = opts.window > 0 ? windowed(s, x, opts) : running(s, x, opts);
    if (value === undefined) throw new Error('internal: zscore without a value');
    return { value, state: next };
  },
};

/** `ema(x, decay)`: the exponential moving average of x's history, the current value included. */
export const ema: StatefulFnDef = {
  kind: 'stateful',
  name: 'ema',
  options: emaSpec,
  check: (o) => rate('ema', emaSpec, 'decay', o),
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
    name === 'zscore' ? zscoreOptions(o) : name === 'ema' ? rate('ema', emaSpec, 'decay', o) : E.right(0);
  return E.map(() => null)(r);
};
