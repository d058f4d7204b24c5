/**
 * The largest Hessian eigenvalue of a scalar function, by power iteration on Hessian-vector
 * products (the SRN paper's curvature measure; PyHessian's method). H is never formed.
 *
 * Two products, one the other's check:
 * - `hessianVector` differentiates ⟨∇f, v⟩ once more (exact). It is whole through exp, tanh,
 *   sigmoid and softmax only because stdlib/grad-registry.ts registers their gradients from the
 *   saved input: TensorFlow.js's own read the saved output, which the tape does not connect, and a
 *   second derivative through them silently lost those terms.
 * - `hessianVectorDifference`, a central difference of gradients (error O(ε²), exact on quadratics),
 *   which needs no second derivative at all: the independent computation the tests hold the exact
 *   product to.
 *
 * `largestHessianEigenvalue` spends a fixed number of products and, with exact products, reads
 * nothing back while it runs, so the `lambda_max` metric computes it on any backend (a GPU backend under Node has no
 * synchronous read) and its cost is known in advance. Power iteration converges to the eigenvalue
 * of largest magnitude, the error of the estimate falling like (λ₂/λ₁)^(2k); at a trained
 * network's minimum that is the largest one (the negative ones are small). The estimate is the
 * Rayleigh quotient vᵀHv of the last unit vector.
 */
import { tf } from '../tf.js';
import { tfSeed } from '../random/tf-seed.js';

/** A scalar function of a list of parameter tensors. */
export type Objective = (theta: readonly tf.Tensor[]) => tf.Tensor;

export type Product = 'exact' | 'difference';

export interface EigenOptions {
  /** Hessian-vector products spent (the power iteration's steps). */
  readonly iterations: number;
  /** Seed of the random start vector. */
  readonly seed: number;
  readonly product: Product;
  /** The difference step of `difference` products, relative to 1 + ‖θ‖ (v has norm 1). */
  readonly step: number;
}

export const EIGEN_DEFAULTS: EigenOptions = { iterations: 20, seed: 0, product: 'exact', step: 1e-3 };

export interface EigenEstimate {
  readonly value: tf.Scalar;
  /** |λ_k − λ_{k−1}| / |λ_k| at the last product: how far from converged the estimate still moves. */
  readonly change: tf.Scalar;
}

const gradientAt = (f: Objective, theta: readonly tf.Tensor[]): tf.Tensor[] => {
  const r = tf.engine().gradients(() => f(theta) as tf.Scalar, [...theta], undefined, true);
  return theta.map((x, i) => r.grads[i] ?? tf.zerosLike(x));
};

const dot = (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar =>
  a.reduce<tf.Scalar>((s, ai, i) => tf.add(s, tf.sum(tf.mul(ai, b[i] as tf.Tensor))), tf.scalar(0));

/** H v at θ: the gradient of ⟨∇f(θ), v⟩ (v held constant). */
export const hessianVector = (f: Objective, theta: readonly tf.Tensor[], v: readonly tf.Tensor[]): tf.Tensor[] =>
  gradientAt((t) => dot(gradientAt(f, t), v), theta);

/** H v at θ by a central difference of gradients with step `eps` along v. */
export const hessianVectorDifference = (f: Objective, theta: readonly tf.Tensor[], v: readonly tf.Tensor[], eps: number): tf.Tensor[] => {
  const shifted = (sign: number): tf.Tensor[] => theta.map((t, i) => tf.add(t, tf.mul(v[i] as tf.Tensor, sign * eps)));
  const up = gradientAt(f, shifted(1));
  const down = gradientAt(f, shifted(-1));
  return up.map((u, i) => tf.div(tf.sub(u, down[i] as tf.Tensor), 2 * eps));
};

/** v / ‖v‖; a zero v (a Hessian that is zero along it) stays zero rather than NaN. */
const normalize = (v: readonly tf.Tensor[]): tf.Tensor[] => {
  const n = tf.maximum(tf.sqrt(dot(v, v)), 1e-30);
  return v.map((t) => tf.div(t, n));
};

/** λ_max of ∇²f at θ after `iterations` products. Returns two new scalars and keeps nothing else. */
export const largestHessianEigenvalue = (f: Objective, theta: readonly tf.Tensor[], options: Partial<EigenOptions> = {}): EigenEstimate => {
  const o = { ...EIGEN_DEFAULTS, ...options };
  const product =
    o.product === 'exact'
      ? (v: readonly tf.Tensor[]): tf.Tensor[] => hessianVector(f, theta, v)
      : (v: readonly tf.Tensor[]): tf.Tensor[] => hessianVectorDifference(f, theta, v, o.step * (1 + Math.sqrt(dot(theta, theta).dataSync()[0] ?? 0)));
  return tf.tidy(() => {
    let v = normalize(theta.map((t, i) => tf.randomNormal(t.shape, 0, 1, 'float32', tfSeed(o.seed + i))));
    let value: tf.Scalar = tf.scalar(0);
    let change: tf.Scalar = tf.scalar(Number.POSITIVE_INFINITY);
    for (let k = 0; k < o.iterations; k++) {
      // one product per step; the tensors of earlier steps are released as it goes
      const prev = value;
      const step = tf.tidy(() => {
        const hv = product(v);
        const rayleigh = dot(v, hv);
        const moved: tf.Scalar = tf.div(tf.abs(tf.sub(rayleigh, prev)), tf.maximum(tf.abs(rayleigh), 1e-30));
        return { rayleigh, v: normalize(hv), change: moved };
      });
      tf.dispose([value, change, ...v]);
      value = step.rayleigh;
      v = step.v;
      change = step.change;
    }
    return { value, change };
  });
};
