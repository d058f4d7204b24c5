/**
 * A parameter declared `on sphere` (cross-regularization's θ with ‖θ‖ = 1, the norm carried by a
 * separate scalar ρ): its gradient is made tangent before the optimizer step, and the result is
 * retracted back onto the unit sphere after it. Both act jointly on all tensors of the parameter.
 */
import { tf } from '../tf.js';
import { jointDot, rescaled } from './joint.js';
import { projectOrthogonal } from './project.js';

/**
 * p/‖p‖ over the concatenation. The zero vector has no nearest point on the sphere; it is returned
 * unchanged (zeros) rather than as NaN, and stays visible as a zero norm in any metric.
 */
export const retractToSphere = (p: readonly tf.Tensor[]): tf.Tensor[] =>
  tf.tidy(() => {
    const { unit } = rescaled(p);
    const n = tf.sqrt(jointDot(unit, unit));
    const safe = tf.where(tf.greater(n, 0), n, tf.onesLike(n));
    return unit.map((x) => tf.div(x, safe));
  });

/**
 * The Riemannian gradient on the sphere: g − p(pᵀg)/‖p‖², the part of g orthogonal to p (valid for
 * any p ≠ 0, not only unit ones). For p = 0 it is g itself.
 */
export const tangentProject = (p: readonly tf.Tensor[], g: readonly tf.Tensor[]): tf.Tensor[] => projectOrthogonal(g, p);
