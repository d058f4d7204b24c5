/**
 * The identity with a zero gradient (tfjs-core has no stopGradient): `stop_gradient(e)` in a
 * program, and a metric referenced inside a loss (a constant to every rule).
 */
import { tf } from '../tf.js';

export const stopGradient = (x: tf.Tensor): tf.Tensor =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a] = args;
    if (!(a instanceof tf.Tensor)) throw new Error('internal error: stopGradient applied to no tensor');
    return { value: a.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  })(x);
