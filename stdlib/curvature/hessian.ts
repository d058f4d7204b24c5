/**
 * The largest Hessian eigenvalue of a scalar function, by power iteration on Hessian-vector
 * products (the SRN paper's curvature measure; PyHessian's method). H is never formed.
 *
 * The products are central differences of gradients, H v ≈ (∇f(θ + εv) − ∇f(θ − εv)) / 2ε, not
 * a second differentiation: TensorFlow.js records the copy of an op's saved *output* on the tape
 * before the op itself, so a gradient taken through a gradient drops every term that flows through
 * a saved output (exp, tanh, sigmoid, sqrt, log-softmax): measured here, Hv of Σ exp(Xw) came out
 * with relative error 1.0 and of a log-sum-exp 1.9, while square and relu were exact. A cross-entropy
 * Hessian needs exp, so the difference is the reliable product (error O(ε²), exact on quadratics).
 *
 * Power iteration converges to the eigenvalue of largest magnitude; at a trained network's minimum
 * that is the largest one (the negative ones are small). The estimate is the Rayleigh quotient
 * vᵀHv of the last unit vector.
 */
import { tf } from '../tf.js';

export interface EigenOptions {
  /** Most products to spend. */
  readonly iterations: number;
  /** Stop when the estimate changes by less than this fraction between two products. */
  readonly tolerance: number;
  /** Seed of the random start vector. */
  readonly seed: number;
  /** The difference step, relative to 1 + ‖θ‖ (v has norm 1). */
  readonly step: number;
}

export const EIGEN_DEFAULTS: EigenOptions = { iterations: 50, tolerance: 1e-4, seed: 0, step: 1e-3 };

export interface EigenEstimate {
  readonly value: number;
  /** Hessian-vector products spent. */
  readonly products: number;
  /** Relative change of the estimate at the last product (≤ tolerance when it converged). */
  readonly change: number;
}

/** A scalar function of a list of parameter tensors. */
export type Objective = (theta: readonly tf.Tensor[]) => tf.Tensor;

const gradientAt = (f: Objective, theta: readonly tf.Tensor[]): tf.Tensor[] => {
  const r = tf.engine().gradients(() => f(theta) as tf.Scalar, [...theta], undefined, true);
  return theta.map((x, i) => r.grads[i] ?? tf.zerosLike(x));
};

const dot = (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number =>
  a.reduce((s, ai, i) => s + (tf.sum(tf.mul(ai, b[i] as tf.Tensor)).dataSync()[0] ?? 0), 0);

/** H v at θ by a central difference of gradients with step `eps` along v. */
export const hessianVector = (f: Objective, theta: readonly tf.Tensor[], v: readonly tf.Tensor[], eps: number): tf.Tensor[] =>
  tf.tidy(() => {
    const shifted = (sign: number): tf.Tensor[] => theta.map((t, i) => tf.add(t, tf.mul(v[i] as tf.Tensor, sign * eps)));
    const up = gradientAt(f, shifted(1));
    const down = gradientAt(f, shifted(-1));
    return up.map((u, i) => tf.div(tf.sub(u, down[i] as tf.Tensor), 2 * eps));
  });

const normalize = (v: readonly tf.Tensor[]): tf.Tensor[] => {
  const n = Math.sqrt(dot(v, v));
  return v.map((t) => tf.div(t, n > 0 ? n : 1));
};

/** λ_max of ∇²f at θ. Keeps no tensor beyond the call. */
export const largestHessianEigenvalue = (f: Objective, theta: readonly tf.Tensor[], options: Partial<EigenOptions> = {}): EigenEstimate => {
  const o = { ...EIGEN_DEFAULTS, ...options };
  return tf.tidy(() => {
    const eps = o.step * (1 + Math.sqrt(dot(theta, theta)));
    let v = normalize(theta.map((t, i) => tf.randomNormal(t.shape, 0, 1, 'float32', o.seed + i)));
    let value = 0;
    let change = Number.POSITIVE_INFINITY;
    let products = 0;
    while (products < o.iterations && change > o.tolerance) {
      const hv = hessianVector(f, theta, v, eps);
      products++;
      const next = dot(v, hv);
      change = Math.abs(next - value) / Math.max(Math.abs(next), Number.MIN_VALUE);
      value = next;
      const old = v;
      v = normalize(hv);
      tf.dispose([...old, ...hv]);
    }
    return { value, products, change };
  });
};
