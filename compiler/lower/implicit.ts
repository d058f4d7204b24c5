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
import { tf } from '../../stdlib/tf.js';
import type { ThroughMethod } from '../ir.js';
import type { Ev } from './eval.js';
import { gradsOf } from './grads.js';

export interface ImplicitParts {
  /** The inner loss F, evaluated against the state's parameters. */
  readonly inner: Ev;
  /** θ: the parameters F is minimized over (implicit) or stepped on (unrolled). */
  readonly innerTargets: readonly string[];
  readonly method: ThroughMethod;
  /** The learning rate of the rule fitting each of `innerTargets`. */
  readonly innerLr: readonly number[];
}

/**
 * Defaults of the conjugate-gradient solve. It stops when the residual has fallen by the tolerance
 * factor. In float32 an ill-conditioned H (a spline with gaps: condition ~1e4) needs several times
 * as many steps as θ has values, so the cap is 4·size + 20 (at most 500), not size.
 */
const CG_TOLERANCE = 1e-6;
const CG_MAX_STEPS = 500;
/** Restarts with more damping when H shows negative curvature (θ away from a minimizer). */
const CG_RESTARTS = 8;
/** Terms of a Neumann series when `iterations` is not given. */
const NEUMANN_TERMS = 20;

/** The solver options of `through F(...)` (compiler/through.ts); absent ones take the defaults above. */
export interface SolveOptions {
  readonly iterations?: number;
  readonly tolerance?: number;
  readonly damping?: number;
}

const dot = (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number =>
  a.reduce((s, ai, i) => s + (tf.sum(tf.mul(ai, b[i] as tf.Tensor)).dataSync()[0] ?? 0), 0);

/** Σ_i ⟨∇θ_i F, u_i⟩ as a differentiable scalar (its gradient in θ is H u, in ρ the mixed term). */
const gradDot = (inner: () => tf.Tensor, theta: readonly tf.Tensor[], u: readonly tf.Tensor[]): tf.Tensor => {
  const g = gradsOf(inner, theta);
  return g.reduce((s: tf.Tensor, gi, i) => tf.add(s, tf.sum(tf.mul(gi, u[i] as tf.Tensor))), tf.scalar(0));
};

/** The solve and how it went: the damping μ it needed and the residual left, relative to ‖b‖. */
export interface HessianSolve {
  readonly v: tf.Tensor[];
  readonly damping: number;
  readonly residual: number;
}

/**
 * v with (H + μI) v = b by conjugate gradients, μ = 0 while H is positive definite along the
 * search directions (at a strict minimizer). Negative curvature (θ away from a minimizer, or a
 * saddle) restarts the solve with μ above the curvature seen, so the result is a damped solve, never
 * a truncated one.
 */
export const solveHessian = (inner: () => tf.Tensor, theta: readonly tf.Tensor[], b: readonly tf.Tensor[], o: SolveOptions = {}): HessianSolve => {
  const size = theta.reduce((n, t) => n + t.size, 0);
  const steps = o.iterations ?? Math.min(CG_MAX_STEPS, 4 * size + 20);
  const bb = dot(b, b);
  const tol = o.tolerance ?? CG_TOLERANCE;
  const stop = bb * tol * tol;
  const curvature = (u: readonly tf.Tensor[]): tf.Tensor[] => gradsOf(() => gradDot(inner, theta, u), theta);
  // H's scale along b, so that a restart's damping means something even where pᵀHp is exactly 0;
  // measured only when a restart needs it.
  const scaleAlongB = (): number => {
    const hb = curvature(b);
    return Math.sqrt(dot(hb, hb) / Math.max(bb, Number.MIN_VALUE));
  };
  let damping = o.damping ?? 0;
  for (let attempt = 0; ; attempt++) {
    const mu = damping;
    const hvp = (u: readonly tf.Tensor[]): tf.Tensor[] => {
      const h = curvature(u);
      return mu === 0 ? h : h.map((hi, i) => tf.add(hi, tf.mul(u[i] as tf.Tensor, mu)));
    };
    let x = b.map((t) => tf.zerosLike(t));
    let r = [...b];
    let p = [...b];
    let rr = bb;
    let negative: number | undefined;
    for (let k = 0; k < steps && rr > stop; k++) {
      const hp = hvp(p);
      const php = dot(p, hp);
      if (!(php > 0)) {
        negative = -php / Math.max(dot(p, p), Number.MIN_VALUE);
        break;
      }
      const alpha = rr / php;
      x = x.map((xi, i) => tf.add(xi, tf.mul(p[i] as tf.Tensor, alpha)));
      r = r.map((ri, i) => tf.sub(ri, tf.mul(hp[i] as tf.Tensor, alpha)));
      const rr2 = dot(r, r);
      p = r.map((ri, i) => tf.add(ri, tf.mul(p[i] as tf.Tensor, rr2 / rr)));
      rr = rr2;
    }
    if (negative === undefined || attempt >= CG_RESTARTS || !Number.isFinite(negative)) return { v: x, damping: mu, residual: Math.sqrt(rr / Math.max(bb, Number.MIN_VALUE)) };
    // At least ×4 per restart: the curvature seen along one direction can understate the most negative one.
    damping = Math.max(4 * mu, 2 * (mu + negative), mu === 0 ? 0.01 * scaleAlongB() : 0);
  }
};

/**
 * v ≈ (H + μI)⁻¹ b by a Neumann series with a diagonal step A (one α per θ tensor):
 * v = Σ_{j<K} (I − A(H + μI))^j A b, which converges where every eigenvalue of A(H + μI) is in
 * (0, 2) — α the θ rules' learning rate is the natural choice (Lorraine et al. 2020: the series is
 * K steps of gradient descent on the quadratic model). Stops early when a term falls below the
 * tolerance; the residual is measured (one more Hessian-vector product), not assumed.
 */
export const neumannSolve = (
  inner: () => tf.Tensor,
  theta: readonly tf.Tensor[],
  b: readonly tf.Tensor[],
  scale: readonly number[],
  o: SolveOptions = {},
): HessianSolve => {
  const mu = o.damping ?? 0;
  const hvp = (u: readonly tf.Tensor[]): tf.Tensor[] => {
    const h = gradsOf(() => gradDot(inner, theta, u), theta);
    return mu === 0 ? h : h.map((hi, i) => tf.add(hi, tf.mul(u[i] as tf.Tensor, mu)));
  };
  const bb = dot(b, b);
  const tol = o.tolerance ?? CG_TOLERANCE;
  let p = b.map((bi, i) => tf.mul(bi, scale[i] ?? 1));
  let x = p.map((t) => tf.zerosLike(t));
  const terms = o.iterations ?? NEUMANN_TERMS;
  for (let j = 0; j < terms; j++) {
    x = x.map((xi, i) => tf.add(xi, p[i] as tf.Tensor));
    const pp = dot(p, p);
    if (pp <= bb * tol * tol) break;
    const hp = hvp(p);
    p = p.map((pi, i) => tf.sub(pi, tf.mul(hp[i] as tf.Tensor, scale[i] ?? 1)));
  }
  const hx = hvp(x);
  const r = hx.map((h, i) => tf.sub(h, b[i] as tf.Tensor));
  return { v: x, damping: mu, residual: Math.sqrt(dot(r, r) / Math.max(bb, Number.MIN_VALUE)) };
};

/**
 * The total gradient of `outer` in ρ through θ*(ρ). `outer` and `inner` evaluate against the
 * current parameters; ρ and θ are those tensors.
 */
export const implicitGradients = (
  outer: () => tf.Tensor,
  inner: () => tf.Tensor,
  rho: readonly tf.Tensor[],
  theta: readonly tf.Tensor[],
  method: Extract<ThroughMethod, { kind: 'implicit' }> = { kind: 'implicit', solver: 'cg', damping: 0 },
  innerLr: readonly number[] = [],
): { grads: tf.Tensor[]; residual: number } => {
  const g = gradsOf(outer, [...rho, ...theta]);
  const gRho = g.slice(0, rho.length);
  const gTheta = g.slice(rho.length);
  const o: SolveOptions = {
    ...(method.iterations !== undefined ? { iterations: method.iterations } : {}),
    ...(method.tolerance !== undefined ? { tolerance: method.tolerance } : {}),
    damping: method.damping,
  };
  const { v, residual } =
    method.solver === 'neumann' ? neumannSolve(inner, theta, gTheta, theta.map((_, i) => method.scale ?? innerLr[i] ?? 1), o) : solveHessian(inner, theta, gTheta, o);
  const mixed = gradsOf(() => gradDot(inner, theta, v), rho);
  return { grads: gRho.map((gi, i) => tf.sub(gi, mixed[i] as tf.Tensor)), residual };
};
