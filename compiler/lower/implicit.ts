/**
 * The implicit (total-derivative) gradient of a rule written `on L through F`: with θ the
 * parameters other rules fit on F and ρ this rule's targets, at a minimizer θ*(ρ) of F,
 *
 *   dL/dρ = ∂L/∂ρ − (∂²F/∂ρ∂θ)ᵀ v,   H v = ∂L/∂θ,   H = ∂²F/∂θ²,
 *
 * (the implicit function theorem). v is found by conjugate gradients on Hessian-vector products,
 * each one a second differentiation of F; H is never formed. Exact when θ is F's minimizer; the
 * rules that fit θ keep it near one as ρ moves.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Ev } from './eval.js';

export interface ImplicitParts {
  /** The inner loss F, evaluated against the state's parameters. */
  readonly inner: Ev;
  /** θ: the parameters F is minimized over. */
  readonly innerTargets: readonly string[];
}

/** Stops when the residual has fallen by this factor, or after as many steps as θ has values. */
const CG_TOLERANCE = 1e-6;
const CG_MAX_STEPS = 200;

const gradsOf = (f: () => tf.Tensor, xs: readonly tf.Tensor[]): tf.Tensor[] => {
  const r = tf.engine().gradients(() => f() as tf.Scalar, [...xs], undefined, true);
  return xs.map((x, i) => r.grads[i] ?? tf.zerosLike(x));
};

const dot = (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number =>
  a.reduce((s, ai, i) => s + (tf.sum(tf.mul(ai, b[i] as tf.Tensor)).dataSync()[0] ?? 0), 0);

/** Σ_i ⟨∇θ_i F, u_i⟩ as a differentiable scalar (its gradient in θ is H u, in ρ the mixed term). */
const gradDot = (inner: () => tf.Tensor, theta: readonly tf.Tensor[], u: readonly tf.Tensor[]): tf.Tensor => {
  const g = gradsOf(inner, theta);
  return g.reduce((s: tf.Tensor, gi, i) => tf.add(s, tf.sum(tf.mul(gi, u[i] as tf.Tensor))), tf.scalar(0));
};

/** v with H v = b by conjugate gradients (H symmetric; positive definite at a strict minimizer). */
export const solveHessian = (inner: () => tf.Tensor, theta: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Tensor[] => {
  const hvp = (u: readonly tf.Tensor[]): tf.Tensor[] => gradsOf(() => gradDot(inner, theta, u), theta);
  const size = theta.reduce((n, t) => n + t.size, 0);
  let x = b.map((t) => tf.zerosLike(t));
  let r = [...b];
  let p = [...b];
  let rr = dot(r, r);
  const stop = rr * CG_TOLERANCE * CG_TOLERANCE;
  for (let k = 0; k < Math.min(size, CG_MAX_STEPS) && rr > stop; k++) {
    const hp = hvp(p);
    const php = dot(p, hp);
    if (!(php > 0)) break; // not positive definite along p: keep what converged so far
    const alpha = rr / php;
    x = x.map((xi, i) => tf.add(xi, tf.mul(p[i] as tf.Tensor, alpha)));
    r = r.map((ri, i) => tf.sub(ri, tf.mul(hp[i] as tf.Tensor, alpha)));
    const rr2 = dot(r, r);
    p = r.map((ri, i) => tf.add(ri, tf.mul(p[i] as tf.Tensor, rr2 / rr)));
    rr = rr2;
  }
  return x;
};

/**
 * The total gradient of `outer` in ρ through θ*(ρ). `outer` and `inner` evaluate against the
 * current parameters; ρ and θ are those tensors.
 */
export const implicitGradients = (outer: () => tf.Tensor, inner: () => tf.Tensor, rho: readonly tf.Tensor[], theta: readonly tf.Tensor[]): tf.Tensor[] => {
  const g = gradsOf(outer, [...rho, ...theta]);
  const gRho = g.slice(0, rho.length);
  const gTheta = g.slice(rho.length);
  const v = solveHessian(inner, theta, gTheta);
  const mixed = gradsOf(() => gradDot(inner, theta, v), rho);
  return gRho.map((gi, i) => tf.sub(gi, mixed[i] as tf.Tensor));
};
