/**
 * One update rule as a step function: gradients of its loss with respect to its targets only
 * (every other parameter is a constant to it), the rule's geometry, the optimizer step, and the
 * sphere retraction.
 */
// `tf` loads @tensorflow/tfjs on first use, which registers the gradient functions.
import { tf } from '../../stdlib/tf.js';
import { projectAlong, projectOrthogonal, retractToSphere, tangentProject } from '../../stdlib/geometry/index.js';
import type { ConstArgs, LrSchedule, OptimizerDef, OptState } from '../../stdlib/types.js';
import type { Env, Ev, HelperState } from './eval.js';
import { gradsOf } from './grads.js';
import { appliedOf, recordApplied } from './applied.js';
import { implicitGradients, type ImplicitParts } from './implicit.js';
import { unrolledGradients } from './unrolled.js';
import { Salt, seedStream } from './seeds.js';
import type { Batches, RunState } from './types.js';

export interface RuleParts {
  readonly name: string;
  readonly targets: readonly string[];
  readonly onSphere: readonly boolean[];
  readonly loss: Ev;
  readonly geometry?: { readonly kind: 'along' | 'orthogonal'; readonly direction: Ev };
  /** `through F`: the total derivative through the minimizer of F (compiler/lower/implicit.ts). */
  readonly implicit?: ImplicitParts;
  readonly optimizer: OptimizerDef;
  readonly options: ConstArgs;
  readonly lr: LrSchedule;
  /** Firings of the rule in its phase (the schedule's horizon). */
  readonly total: number;
  /** The targets whose applied gradient a report reads (`applied_grad`): kept in the state. */
  readonly recorded: readonly string[];
}

const needParam = (s: RunState, path: string): tf.Tensor => {
  const t = s.params[path];
  if (t === undefined) throw new Error(`internal error: no parameter '${path}' in the state`);
  return t;
};

export const makeEnv = (
  state: RunState,
  batches: Batches,
  key: number,
  salt: number,
  helpers: Record<string, HelperState>,
  stochastic = true,
): Env => ({ params: state.params, batches, stochastic, nextSeed: seedStream(key, salt), helpers, applied: appliedOf(state) });

/** Marks the helper tensors this evaluation made so they outlive the enclosing tidy scopes. */
export const keepNewHelpers = (helpers: Record<string, HelperState>, before: RunState['helpers']): void => {
  const old = new Set(Object.values(before).flatMap((h) => Object.values(h)));
  for (const h of Object.values(helpers)) for (const t of Object.values(h)) if (!old.has(t)) tf.keep(t);
};

/**
 * The update direction before the optimizer: ∇L w.r.t. the targets, projected along/orthogonally
 * to ∇d (jointly over all targets), then made tangent to the sphere for sphere parameters.
 * `helpers` receives the loss's advanced helper states (kept, when `keep`).
 */
export const ruleGradients = (
  parts: RuleParts,
  state: RunState,
  batches: Batches,
  key: number,
  helpers: Record<string, HelperState>,
  keep: boolean,
  /** Receives the relative residual of an implicit solve (`through F`), for `solver_residual`. */
  solve: { residual?: number } = {},
): tf.Tensor[] => {
  const xs = parts.targets.map((p) => needParam(state, p));
  // The rule's loss with the given parameters (the state's, or θ after unrolled steps).
  const lossAt = (params: Readonly<Record<string, tf.Tensor>>): tf.Tensor => {
    const v = parts.loss({ ...makeEnv(state, batches, key, Salt.loss, helpers), params });
    if (keep) keepNewHelpers(helpers, state.helpers);
    return v;
  };
  const imp = parts.implicit;
  const g = imp === undefined ? gradsOf(() => lossAt(state.params), xs) : throughGradients(parts, imp, state, batches, key, lossAt, solve);
  let projected = g;
  const geo = parts.geometry;
  if (geo !== undefined) {
    // The direction's own helper updates (if any) are dropped: it only orients the step.
    const d = gradsOf(() => geo.direction(makeEnv(state, batches, key, Salt.direction, { ...state.helpers })), xs);
    projected = geo.kind === 'along' ? projectAlong(g, d) : projectOrthogonal(g, d);
  }
  return projected.map((gi, i) => (parts.onSphere[i] === true ? (tangentProject([xs[i] as tf.Tensor], [gi])[0] ?? gi) : gi));
};

/**
 * `through F`: the inner loss is evaluated once per Hessian-vector product (or unrolled step), each
 * time with the same draws and on the same batch of F's split.
 */
const throughGradients = (
  parts: RuleParts,
  imp: ImplicitParts,
  state: RunState,
  batches: Batches,
  key: number,
  lossAt: (params: Readonly<Record<string, tf.Tensor>>) => tf.Tensor,
  solve: { residual?: number },
): tf.Tensor[] => {
  const method = imp.method;
  const innerAt = (params: Readonly<Record<string, tf.Tensor>>): tf.Tensor => imp.inner({ ...makeEnv(state, batches, key, Salt.implicit, { ...state.helpers }), params });
  if (method.kind === 'implicit') {
    const xs = parts.targets.map((p) => needParam(state, p));
    const theta = imp.innerTargets.map((p) => needParam(state, p));
    const r = implicitGradients(() => lossAt(state.params), () => innerAt(state.params), xs, theta, method, imp.innerLr);
    solve.residual = r.residual;
    return r.grads;
  }
  return unrolledGradients(lossAt, innerAt, state.params, parts.targets, imp.innerTargets, imp.innerLr, method).grads;
};

export const ruleStep =
  (parts: RuleParts) =>
  (state: RunState, batches: Batches, key: number): RunState => {
    const opt0 = state.opt[parts.name];
    if (opt0 === undefined) throw new Error(`internal error: no optimizer state for rule '${parts.name}'`);
    const xs = parts.targets.map((p) => needParam(state, p));
    const lr = parts.lr(opt0.t, parts.total);
    const inputs = new Set<tf.Tensor>([...xs, ...Object.values(opt0.slots).flat()]);
    const keepOut = (t: tf.Tensor): tf.Tensor => (inputs.has(t) ? t : tf.keep(t));
    let newParams: tf.Tensor[] = [];
    let newOpt: OptState = opt0;
    let applied: tf.Tensor[][] = [];
    const helpers: Record<string, HelperState> = { ...state.helpers };
    tf.tidy(() => {
      const solve: { residual?: number } = {};
      const g = ruleGradients(parts, state, batches, key, helpers, true, solve);
      const residual = solve.residual;
      applied = parts.targets.flatMap((p, i) =>
        parts.recorded.includes(p) ? [[tf.keep(g[i] as tf.Tensor), ...(residual === undefined ? [] : [tf.keep(tf.scalar(residual))])]] : [],
      );
      const r = parts.optimizer.step(xs, g, opt0, lr, parts.options);
      const lo = parts.options['min'];
      const hi = parts.options['max'];
      // `min:` / `max:` on the optimizer: a projection after the step (Luketina et al.'s λ ≥ 0).
      const bounded = (typeof lo === 'number' && lo > -Infinity) || (typeof hi === 'number' && hi < Infinity);
      const clamp = (p: tf.Tensor): tf.Tensor => (bounded ? tf.clipByValue(p, typeof lo === 'number' ? lo : -Infinity, typeof hi === 'number' ? hi : Infinity) : p);
      newParams = r.params.map((p, i) => keepOut(parts.onSphere[i] === true ? (retractToSphere([p])[0] ?? p) : clamp(p)));
      const slots: Record<string, tf.Tensor[]> = {};
      for (const [k, ts] of Object.entries(r.state.slots)) slots[k] = ts.map(keepOut);
      newOpt = { t: r.state.t, slots };
    });
    const params: Record<string, tf.Tensor> = { ...state.params };
    parts.targets.forEach((p, i) => {
      params[p] = newParams[i] as tf.Tensor;
    });
    const opt = { ...state.opt, [parts.name]: newOpt };
    const recorded = parts.targets.filter((p) => parts.recorded.includes(p));
    return { step: state.step, params, opt: recorded.length === 0 ? opt : recordApplied(opt, recorded, applied), helpers };
  };

/** The rule's loss at `state` (helper updates dropped: logging must not advance them). */
export const ruleLoss =
  (parts: RuleParts) =>
  (state: RunState, batches: Batches, key: number): number =>
    tf.tidy(() => parts.loss(makeEnv(state, batches, key, Salt.loss, { ...state.helpers })).dataSync()[0] ?? Number.NaN);
