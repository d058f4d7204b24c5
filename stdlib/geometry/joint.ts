/**
 * Inner products and norms over a partition: a list of tensors read as one long vector (their
 * concatenation), without building the concatenation.
 */
import { tf } from '../tf.js';

export const sameShapes = (what: string, a: readonly tf.Tensor[], b: readonly tf.Tensor[]): void => {
  // The compiler pairs gradients with directions of the same partition; a mismatch is its bug.
  if (a.length !== b.length) throw new Error(`internal error: ${what}: ${a.length} tensors against ${b.length}`);
  a.forEach((x, i) => {
    const y = b[i] as tf.Tensor;
    if (!tf.util.arraysEqual(x.shape, y.shape)) {
      throw new Error(`internal error: ${what}: tensor ${i} has shape [${x.shape}] against [${y.shape}]`);
    }
  });
};

/** Σᵢ ⟨aᵢ, bᵢ⟩ as a scalar (0 for empty lists). */
export const jointDot = (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar =>
  tf.tidy(() => a.reduce<tf.Scalar>((acc, x, i) => tf.add(acc, tf.sum(tf.mul(x, b[i] as tf.Tensor))), tf.scalar(0)));

/** The Euclidean norm of the concatenation. */
export const jointNorm = (a: readonly tf.Tensor[]): tf.Scalar => tf.tidy(() => tf.sqrt(jointDot(a, a)));

/** max |xᵢⱼ| over all tensors (0 for empty lists or all zeros). */
export const jointMaxAbs = (a: readonly tf.Tensor[]): tf.Scalar =>
  tf.tidy(() => a.reduce<tf.Scalar>((acc, x) => (x.size === 0 ? acc : tf.maximum(acc, tf.max(tf.abs(x)))), tf.scalar(0)));

/**
 * The list divided by its largest magnitude (zeros stay zeros), with the scale. In float32 ‖d‖²
 * underflows once ‖d‖ < 1e-19 and overflows past 1e19; a gradient that small is still a direction,
 * so norms are taken of the rescaled list, whose largest entry is ±1.
 */
export const rescaled = (a: readonly tf.Tensor[]): { readonly unit: tf.Tensor[]; readonly scale: tf.Scalar } =>
  tf.tidy(() => {
    const scale = jointMaxAbs(a);
    const safe = tf.where(tf.greater(scale, 0), scale, tf.onesLike(scale));
    return { unit: a.map((x) => tf.div(x, safe)), scale };
  });
