/** Gradients of a scalar function with respect to given tensors (zeros where one does not enter). */
import { tf } from '../../stdlib/tf.js';

export const gradsOf = (f: () => tf.Tensor, xs: readonly tf.Tensor[]): tf.Tensor[] => {
  const r = tf.engine().gradients(() => f() as tf.Scalar, [...xs], undefined, true);
  return xs.map((x, i) => r.grads[i] ?? tf.zerosLike(x));
};
