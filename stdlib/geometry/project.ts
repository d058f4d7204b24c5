/**
 * Splitting an update into the part along a direction and the part orthogonal to it
 * (`update … along d` / `orthogonal to d`), jointly over all tensors of a partition.
 *
 * Cross-regularization's eqs. 14 and 19 write the projection as (∇R/‖∇R‖)(gᵀ∇R), which is off by a
 * factor ‖∇R‖. We use the unit vector u = d/‖d‖ and g_along = u(uᵀg), as the paper's eq. 15 does:
 * the result does not change when d is rescaled, so the along/orthogonal parts always sum to g.
 */
import { tf } from '../tf.js';
import { jointDot, rescaled, sameShapes } from './joint.js';

/**
 * u(uᵀg) with u = d/‖d‖, over the concatenation of the partition's tensors.
 * When ‖d‖ = 0 there is no direction (an L1 direction sign(w) at w = 0, a vanishing ∇R): the
 * projection is then zero, so an `along` rule does nothing and an `orthogonal to` rule keeps all of g.
 */
export const projectAlong = (g: readonly tf.Tensor[], d: readonly tf.Tensor[]): tf.Tensor[] => {
  sameShapes('projectAlong', g, d);
  return tf.tidy(() => {
    // u(uᵀg) = d̃ (d̃ᵀg)/(d̃ᵀd̃) for any rescaling d̃ of d; rescaled() keeps d̃ᵀd̃ representable.
    const { unit } = rescaled(d);
    const dd = jointDot(unit, unit);
    const nonzero = tf.greater(dd, 0);
    const coef = tf.where(nonzero, tf.div(jointDot(unit, g), tf.where(nonzero, dd, tf.onesLike(dd))), tf.zerosLike(dd));
    return unit.map((u) => tf.mul(u, coef));
  });
};

/** g − u(uᵀg): the part of g that leaves the direction's component unchanged (all of g when d = 0). */
export const projectOrthogonal = (g: readonly tf.Tensor[], d: readonly tf.Tensor[]): tf.Tensor[] => {
  sameShapes('projectOrthogonal', g, d);
  return tf.tidy(() => {
    const along = projectAlong(g, d);
    return g.map((x, i) => tf.sub(x, along[i] as tf.Tensor));
  });
};
