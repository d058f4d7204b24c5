/**
 * Newton's method with a Hessian measured from gradients alone (the optimizer contract hands it
 * gradients, never the loss), for small smooth problems: exact for quadratics.
 *
 * With x the d parameters flattened in order and h the probe length:
 *   updates 0 … d − 1:  step to x₀ + h·e_k and read g(x₀ + h·e_k); column k of H is (g(x₀ + h·e_k) − g(x₀)) / h
 *   update d:           x₁ = x₀ − η (H̄ + δI)⁻¹ g(x₀)       H̄ = (H + Hᵀ)/2, δ the damping
 *   later updates:      x ← x − η (H̄ + δI)⁻¹ g(x)           (H kept: for a quadratic it is exact)
 *
 * For a quadratic the differences are exact whatever h, so η = 1 lands on the minimizer at update d
 * up to float32 rounding of the gradients; the later updates are iterative refinement that removes
 * the error the rounded H leaves (linear rate ‖I − H̄⁻¹∇²f‖). The solve runs in float64 (LU with
 * partial pivoting); where H̄ + δI is singular the update leaves x where it is. Cost: d + 1 gradient
 * evaluations before the first Newton step and a d × d matrix, so this is for problems with at most
 * a few hundred parameters (a ridge, a spline), not networks. The updates before d move x off its
 * path on purpose: metrics observed during them are of the probes.
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { ConstArgs, OptimizerDef, OptState } from '../types.js';
import { decodeWith, lrArg, nonNegative, orFail, positive, scheduleArgs } from './options.js';

export interface NewtonConfig {
  readonly probe: number;
  readonly damping: number;
}

const Options = t.partial({ probe: t.number, damping: t.number });

export const newtonConfig = (options: ConstArgs): E.Either<string, NewtonConfig> =>
  pipe(
    decodeWith('newton', Options, options),
    E.chain((o) =>
      pipe(
        E.Do,
        E.apS('probe', positive('newton', 'probe', o.probe ?? 1)),
        E.apS('damping', nonNegative('newton', 'damping', o.damping ?? 0)),
      ),
    ),
  );

/** Solves a x = b (a row-major n × n) by LU with partial pivoting; undefined when a is singular. */
export const solveLU = (a0: Float64Array, b0: Float64Array, n: number): Float64Array | undefined => {
  const a = Float64Array.from(a0);
  const b = Float64Array.from(b0);
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k] ?? 0) > Math.abs(a[piv * n + k] ?? 0)) piv = i;
    const pv = a[piv * n + k] ?? 0;
    if (!(Math.abs(pv) > scale * 1e-14)) return undefined;
    if (piv !== k) {
      for (let j = 0; j < n; j++) {
        const tmp = a[k * n + j] ?? 0;
        a[k * n + j] = a[piv * n + j] ?? 0;
        a[piv * n + j] = tmp;
      }
      const tb = b[k] ?? 0;
      b[k] = b[piv] ?? 0;
      b[piv] = tb;
    }
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k] ?? 0) / pv;
      if (f === 0) continue;
      for (let j = k; j < n; j++) a[i * n + j] = (a[i * n + j] ?? 0) - f * (a[k * n + j] ?? 0);
      b[i] = (b[i] ?? 0) - f * (b[k] ?? 0);
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i] ?? 0;
    for (let j = i + 1; j < n; j++) s -= (a[i * n + j] ?? 0) * (x[j] ?? 0);
    x[i] = s / (a[i * n + i] ?? 1);
  }
  return x;
};

const flat = (xs: readonly tf.Tensor[]): Float64Array => {
  const parts = xs.map((x) => x.dataSync());
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const unflat = (v: Float64Array, like: readonly tf.Tensor[]): tf.Tensor[] => {
  let o = 0;
  return like.map((p) => {
    const part = v.subarray(o, o + p.size);
    o += p.size;
    return tf.tensor(Float32Array.from(part), p.shape, 'float32');
  });
};

const slot = (state: OptState, name: string): readonly tf.Tensor[] => {
  const s = state.slots[name];
  if (s === undefined) throw new Error(`internal error: newton state has no slot '${name}'`);
  return s;
};

/** The Newton direction (H̄ + δI)⁻¹ g from the stored (possibly partly filled) H. */
const newtonDirection = (h: Float64Array, g: Float64Array, d: number, damping: number): Float64Array | undefined => {
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) a[i * d + j] = 0.5 * ((h[i * d + j] ?? 0) + (h[j * d + i] ?? 0)) + (i === j ? damping : 0);
  return solveLU(a, g, d);
};

const keepAll = (xs: readonly tf.Tensor[]): tf.Tensor[] => xs.map((x) => tf.clone(x));

export const newton: OptimizerDef = {
  kind: 'optimizer',
  name: 'newton',
  validate: (o) => newtonConfig(o),
  options: [
    lrArg,
    { name: 'probe', type: 'number', default: 1, doc: 'length h of the finite-difference probes that measure the Hessian' },
    { name: 'damping', type: 'number', default: 0, doc: 'δ added to the Hessian’s diagonal (Levenberg)' },
    ...scheduleArgs,
  ],
  // Slots, the same four at every update so that the state's structure (and its tensor count)
  // never changes, which checkpoints and the purity contract rely on: `base` and `base_grad`
  // (x₀ and g(x₀), per parameter), `probe_grads` (one d × d tensor: row k is the flattened
  // gradient at probe k) and `hessian` (one d × d tensor, filled once the probes are done).
  init: (params): OptState => {
    const d = params.reduce((a, p) => a + p.size, 0);
    return {
      t: 0,
      slots: {
        base: params.map((p) => tf.zerosLike(p)),
        base_grad: params.map((p) => tf.zerosLike(p)),
        probe_grads: [tf.zeros([d, d])],
        hessian: [tf.zeros([d, d])],
      },
    };
  },
  step: (params, grads, state, lr, options): { readonly params: readonly tf.Tensor[]; readonly state: OptState } => {
    const c = orFail(newtonConfig(options));
    const d = params.reduce((a, p) => a + p.size, 0);
    const k = state.t;
    const matrix = (name: string): Float64Array => {
      const m = slot(state, name)[0];
      if (m === undefined) throw new Error(`internal error: newton slot '${name}' is empty`);
      return Float64Array.from(m.dataSync());
    };
    const square = (v: Float64Array): tf.Tensor => tf.tensor(Float32Array.from(v), [d, d], 'float32');
    if (k < d) {
      // Probe k: the next point is x₀ + h·e_k; the gradient just received belongs to probe k − 1.
      const base = k === 0 ? keepAll(params) : keepAll(slot(state, 'base'));
      const baseGrad = k === 0 ? keepAll(grads) : keepAll(slot(state, 'base_grad'));
      const probes = matrix('probe_grads');
      if (k > 0) probes.set(flat(grads), (k - 1) * d);
      const next = flat(base);
      next[k] = (next[k] ?? 0) + c.probe;
      return {
        params: unflat(next, params),
        state: { t: k + 1, slots: { base, base_grad: baseGrad, probe_grads: [square(probes)], hessian: keepAll(slot(state, 'hessian')) } },
      };
    }
    let h: Float64Array;
    let from: Float64Array;
    let grad: Float64Array;
    if (k === d) {
      // The probes are done: H from the differences, and the first Newton step starts from x₀.
      const g0 = flat(slot(state, 'base_grad'));
      const probes = matrix('probe_grads');
      if (d > 0) probes.set(flat(grads), (d - 1) * d);
      h = new Float64Array(d * d);
      for (let j = 0; j < d; j++)
        for (let i = 0; i < d; i++) h[i * d + j] = ((probes[j * d + i] ?? 0) - (g0[i] ?? 0)) / c.probe;
      from = flat(slot(state, 'base'));
      grad = g0;
    } else {
      h = matrix('hessian');
      from = flat(params);
      grad = flat(grads);
    }
    const dir = newtonDirection(h, grad, d, c.damping);
    const next = Float64Array.from(from);
    if (dir !== undefined) for (let i = 0; i < d; i++) next[i] = (next[i] ?? 0) - lr * (dir[i] ?? 0);
    return {
      params: unflat(next, params),
      state: {
        t: k + 1,
        slots: {
          base: keepAll(slot(state, 'base')),
          base_grad: keepAll(slot(state, 'base_grad')),
          probe_grads: keepAll(slot(state, 'probe_grads')),
          hessian: [square(h)],
        },
      },
    };
  },
};
