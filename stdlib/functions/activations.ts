/**
 * Activations and other elementwise functions. Each is registered once, as a one-tensor `FnDef`;
 * the compiler uses a one-tensor-argument function written as a pipeline stage (`x |> relu`) as a
 * parameter-less layer (see `fnAsLayer` in `stdlib/layers/from-fn.ts`).
 */
import { tf } from '../tf.js';
import { logSoftmaxLast } from '../grad-registry.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, FnDef } from '../types.js';
import { must, numArg } from './args.js';
import { rankAtLeast, fn, one, unary } from './define.js';
import { stopGradient } from './stop-gradient.js';

const clipOptions: readonly ArgSpec[] = [
  { name: 'lo', type: 'number', doc: 'lower bound' },
  { name: 'hi', type: 'number', doc: 'upper bound' },
];

const clipBounds = (o: ConstArgs): E.Either<string, readonly [number, number]> => {
  const lo = numArg('clip', o, clipOptions, 'lo');
  const hi = numArg('clip', o, clipOptions, 'hi');
  if (E.isLeft(lo)) return lo;
  if (E.isLeft(hi)) return hi;
  return lo.right <= hi.right ? E.right([lo.right, hi.right]) : E.left(`clip: lo (${lo.right}) must not exceed hi (${hi.right})`);
};

/** Softmax and log-softmax act on the last axis: the class axis of a batch of logits. */
const lastAxis = (name: string, f: (x: tf.Tensor) => tf.Tensor): FnDef =>
  fn(name, ['x'], ([s]) => (s === undefined ? E.left(`${name} takes one tensor`) : rankAtLeast(name, 'a tensor', s, 1)), (args) =>
    f(one(name, args)),
  );

export const activations: readonly FnDef[] = [
  unary('relu', (x) => tf.relu(x)),
  unary('tanh', (x) => tf.tanh(x)),
  unary('sigmoid', (x) => tf.sigmoid(x)),
  unary('softplus', (x) => tf.softplus(x)),
  unary('exp', (x) => tf.exp(x)),
  unary('log', (x) => tf.log(x)),
  unary('sqrt', (x) => tf.sqrt(x)),
  unary('abs', (x) => tf.abs(x)),
  // The derivative of sign is zero almost everywhere: no useful gradient flows through it.
  unary('sign', (x) => tf.sign(x), { differentiable: false }),
  // `stop_gradient(e)`: e's value, a constant to every gradient (the compiler's reachability knows it).
  unary('stop_gradient', stopGradient, { differentiable: false }),
  unary('square', (x) => tf.square(x)),
  unary(
    'clip',
    (x, o) => {
      const [lo, hi] = must(clipBounds(o));
      return tf.clipByValue(x, lo, hi);
    },
    { options: clipOptions, check: clipBounds },
  ),
  lastAxis('softmax', (x) => tf.softmax(x)),
  lastAxis('log_softmax', (x) => logSoftmaxLast(tf, x)),
];
