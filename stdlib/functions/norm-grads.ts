/**
 * The L1 and L2 norms with the subgradients the language documents (PAPERS.md: sign(0) = 0), where
 * TensorFlow.js's chain rule gives something else: abs's gradient is −1 at 0, so `along grad(l1(w))`
 * would move w = 0; and sqrt(Σx²) differentiates to 0/0 = NaN at x = 0.
 */
import { tf } from '../tf.js';

const withSavedInput = (
  name: string,
  value: (x: tf.Tensor) => tf.Tensor,
  grad: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor,
): ((x: tf.Tensor) => tf.Tensor) => {
  // Built on first use: tf.customGrad would load TensorFlow.js when this module is imported.
  let op: ((x: tf.Tensor) => tf.Tensor) | undefined;
  const build = (): ((x: tf.Tensor) => tf.Tensor) =>
    tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, save] = args;
      if (!(x instanceof tf.Tensor) || typeof save !== 'function') throw new Error(`internal error: ${name} applied to no tensor`);
      save([x]);
      return {
        value: value(x),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [s] = saved;
          if (s === undefined) throw new Error(`internal error: ${name} lost its saved input`);
          return grad(dy, s);
        },
      };
    });
  return (x) => (op ??= build())(x);
};

/** Σ|x|, with gradient sign(x) (0 at zeros). */
export const l1Norm = withSavedInput(
  'l1',
  (x) => tf.sum(tf.abs(x)),
  (dy, x) => tf.mul(dy, tf.sign(x)),
);

/** sqrt(Σx²), with gradient x/‖x‖ (0 at x = 0, the minimal-norm subgradient). */
export const l2Norm = withSavedInput(
  'norm',
  (x) => tf.sqrt(tf.sum(tf.square(x))),
  (dy, x) => {
    const n = tf.sqrt(tf.sum(tf.square(x)));
    const positive = tf.greater(n, 0);
    const unit = tf.where(positive, tf.div(x, tf.where(positive, n, tf.onesLike(n))), tf.zerosLike(x));
    return tf.mul(dy, unit);
  },
);
