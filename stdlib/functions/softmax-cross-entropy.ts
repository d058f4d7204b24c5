/**
 * Cross-entropy of logits against target distributions, −mean_i Σ_j q_ij log softmax(z_i)_j, as one
 * operation with its own gradient.
 *
 * Written out of primitive operations, the tape records each of them and saves a copy of every
 * input it will need: on the MLP step that was 12 operations and 12 copies forward and about 30
 * operations backward — the gradient of the max shift alone (whose true value is 0) runs an
 * Equal, a Cast and a product. Here the forward is the same operations in the same order (the
 * loss is the same to the bit) run off the tape, and the gradient is its closed form,
 * (softmax(z) · Σ_j q_ij − q) · dy / N, in four operations. Both are built from differentiable
 * operations on the saved inputs (whose copies the tape connects to them), so a gradient of this
 * gradient — a Hessian-vector product, an unrolled step — is whole.
 */
import { tf } from '../tf.js';
import { logSoftmaxLast } from '../grad-registry.js';

const forward = (z: tf.Tensor, q: tf.Tensor): tf.Tensor => tf.neg(tf.mean(tf.sum(tf.mul(q, logSoftmaxLast(tf, z)), -1)));

/** dy/N as the scale of every row's gradient. */
const rowScale = (dy: tf.Tensor, z: tf.Tensor): tf.Tensor => tf.div(dy, z.shape[0] ?? 1);

/** d loss / d z: (softmax(z) · Σ_j q_ij − q) · dy/N; rows of a one-hot q sum to 1 exactly. */
const logitGradient = (dy: tf.Tensor, z: tf.Tensor, q: tf.Tensor, rowsSumToOne: boolean): tf.Tensor => {
  const p = tf.softmax(z);
  const expected = rowsSumToOne ? p : tf.mul(p, tf.sum(q, -1, true));
  return tf.mul(tf.sub(expected, q), rowScale(dy, z));
};

/**
 * The loss of `logits` [B, C] against targets `q` [B, C]. Targets built from class indices depend on
 * nothing trained (`trainedTargets` false): only the logits are an input of the operation, and q
 * rides along as a saved tensor; soft labels may be trained, and get their gradient.
 */
const crossEntropyOp = (logits: tf.Tensor, q: tf.Tensor, trainedTargets: boolean, rowsSumToOne: boolean): tf.Scalar => {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [z, t = q] = args.filter((a): a is tf.Tensor => a instanceof tf.Tensor);
    const save = args.find((a): a is tf.GradSaveFunc => typeof a === 'function');
    if (z === undefined || save === undefined) throw new Error('internal: cross-entropy applied to no logits');
    // q too where it is no input: the tape's forward scope disposes it before the gradient runs.
    save([z, t]);
    return {
      value: forward(z, t),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, ts] = saved;
        if (zs === undefined || ts === undefined) throw new Error('internal: cross-entropy saved no logits or targets');
        const dz = logitGradient(dy, zs, ts, rowsSumToOne);
        // d loss / d q = −log softmax(z) · dy/N
        return trainedTargets ? [dz, tf.mul(tf.neg(logSoftmaxLast(tf, zs)), rowScale(dy, zs))] : [dz];
      },
    };
  });
  return (trainedTargets ? op(logits, q) : op(logits)) as tf.Scalar;
};

/** Against one-hot targets (from class indices, maybe smoothed): only the logits get a gradient. */
export const crossEntropyFixedTargets = (logits: tf.Tensor, q: tf.Tensor, rowsSumToOne: boolean): tf.Scalar => crossEntropyOp(logits, q, false, rowsSumToOne);

/** Against target distributions that may themselves be trained (soft labels): both get a gradient. */
export const crossEntropy = (logits: tf.Tensor, q: tf.Tensor): tf.Scalar => crossEntropyOp(logits, q, true, false);
