/** Tensor operations the evaluator needs beyond tfjs's own: gradient stopping, `@`, dtype agreement. */
import { tf } from '../../stdlib/tf.js';
import type { BinaryOp } from '../ir.js';

export { stopGradient } from '../../stdlib/functions/stop-gradient.js';

/** Integer fields (labels) meet float values in arithmetic as floats. */
const agree = (a: tf.Tensor, b: tf.Tensor): readonly [tf.Tensor, tf.Tensor] =>
  a.dtype === b.dtype ? [a, b] : [tf.cast(a, 'float32'), tf.cast(b, 'float32')];

const float = (x: tf.Tensor): tf.Tensor => (x.dtype === 'float32' ? x : tf.cast(x, 'float32'));

/**
 * `a @ b` with numpy's rules for vectors: a vector on the left is a row, on the right a column,
 * and the added axis is dropped from the result.
 */
export const matmul = (a0: tf.Tensor, b0: tf.Tensor): tf.Tensor => {
  const a = float(a0);
  const b = float(b0);
  if (a.rank === 1 && b.rank === 1) return tf.sum(tf.mul(a, b));
  if (a.rank === 1) {
    const r = tf.matMul(tf.reshape(a, [1, -1]), b);
    return tf.reshape(r, [...r.shape.slice(0, -2), r.shape[r.rank - 1] ?? 1]);
  }
  if (b.rank === 1) {
    const r = tf.matMul(a, tf.reshape(b, [-1, 1]));
    return tf.reshape(r, r.shape.slice(0, -1));
  }
  return tf.matMul(a, b);
};

export const binary = (op: BinaryOp, a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
  if (op === '@') return matmul(a, b);
  const [x, y] = agree(a, b);
  switch (op) {
    case '+':
      return tf.add(x, y);
    case '-':
      return tf.sub(x, y);
    case '*':
      return tf.mul(x, y);
    case '/':
      return tf.div(float(x), float(y));
    case '^':
      return tf.pow(float(x), float(y));
  }
};
