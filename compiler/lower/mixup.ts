/**
 * `mixup(e, alpha)` (Zhang et al. 2018): `e` evaluated on a batch mixed pairwise with a shuffled
 * copy of itself. Choices:
 * - One λ ~ Beta(α, α) per evaluation (per batch, as in the paper's reference code), and one
 *   permutation j per batch the body reads (batches of different splits may differ in size).
 * - Float fields are inputs: x̃ = λx + (1 − λ)x_j. Integer fields are labels: the body is
 *   evaluated twice on the same x̃, with y and with y_j, and the results combined as
 *   λ·e(y) + (1 − λ)·e(y_j). This is exact for any body (terms without labels come out unchanged)
 *   and needs no soft-target support; it costs a second forward pass. Both evaluations draw the
 *   same noise (a replayed seed stream), so the two halves differ only in the labels. A body
 *   that reads no integer field is evaluated once. A regression target (a float field) is mixed
 *   like an input, which is the paper's form for soft targets.
 * - λ and j are drawn in plain JavaScript from the step's seed stream (reproducible, and a test
 *   can redraw them with `mixupDraw`); stateful helpers inside the body would advance twice.
 */
import { tf } from '../../stdlib/tf.js';
import { makeRng, permutation, type Rng } from '../../stdlib/data/random.js';
import { children, type IRExpr } from '../ir.js';
import type { Env, Ev } from './eval.js';
import { combineSeeds, seedStream } from './seeds.js';
import { type Batch, batchKey } from './types.js';

/** Marsaglia–Tsang for shape ≥ 1; shape < 1 through G(a) = G(a + 1)·U^(1/a). */
const gamma = (rng: Rng, shape: number): number => {
  if (shape < 1) {
    let u = rng.uniform();
    while (u === 0) u = rng.uniform();
    return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x = 0;
    let v = 0;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
};

/** λ ~ Beta(α, α) as G₁ / (G₁ + G₂); α = 0 (no mixing) gives λ = 1. */
export const betaSymmetric = (rng: Rng, alpha: number): number => {
  if (!(alpha > 0)) return 1;
  const a = gamma(rng, alpha);
  const b = gamma(rng, alpha);
  return a + b > 0 ? a / (a + b) : rng.uniform() < 0.5 ? 0 : 1;
};

export interface MixupDraw {
  readonly lambda: number;
  /** The partner j(i) of each example, for the k-th batch the body reads (in `batchKeysOf` order). */
  readonly permutation: (k: number, n: number) => Int32Array;
}

/** Everything random about one mixup evaluation, from one seed. */
export const mixupDraw = (seed: number, alpha: number): MixupDraw => ({
  lambda: betaSymmetric(makeRng(combineSeeds(seed, 0)), alpha),
  permutation: (k, n) => permutation(n, makeRng(combineSeeds(seed, k + 1))),
});

/** The (batch key, field) pairs `e` reads, batch keys in first-read order. */
export const fieldsRead = (e: IRExpr): Map<string, Set<string>> => {
  const out = new Map<string, Set<string>>();
  const walk = (x: IRExpr): void => {
    if (x.kind === 'field') {
      const k = batchKey(x.data, x.split);
      const s = out.get(k) ?? new Set<string>();
      s.add(x.field);
      out.set(k, s);
    }
    for (const c of children(x)) walk(c);
  };
  walk(e);
  return out;
};

/** Salt of the replayed stream the body draws its own noise from. */
const BODY_SALT = 0x6d1;

export const mixupEv = (node: Extract<IRExpr, { kind: 'mixup' }>, body: Ev): Ev => {
  const reads = [...fieldsRead(node.body)];
  const alpha = node.alpha;
  return (env: Env) => {
    const seed = env.nextSeed();
    const draw = mixupDraw(seed, alpha);
    const lam = draw.lambda;
    const mixed: Record<string, Record<string, tf.Tensor>> = {};
    const swapped: Record<string, Record<string, tf.Tensor>> = {};
    let labels = false;
    reads.forEach(([key, fields], k) => {
      const batch: Batch | undefined = env.batches[key];
      if (batch === undefined) throw new Error(`internal error: no batch '${key}' at evaluation time`);
      const m: Record<string, tf.Tensor> = { ...batch };
      const s: Record<string, tf.Tensor> = { ...batch };
      for (const f of fields) {
        const t = batch[f];
        if (t === undefined) throw new Error(`internal error: no field '${f}' of ${key} at evaluation time`);
        const n = t.shape[0] ?? 1;
        const j = tf.tensor1d(draw.permutation(k, n), 'int32');
        const partner = tf.gather(t, j);
        if (t.dtype === 'float32') {
          m[f] = tf.add(tf.mul(t, lam), tf.mul(partner, 1 - lam));
          s[f] = m[f] as tf.Tensor;
        } else {
          labels = true;
          s[f] = partner;
        }
      }
      mixed[key] = m;
      swapped[key] = s;
    });
    const run = (batches: Record<string, Record<string, tf.Tensor>>): tf.Tensor =>
      body({ ...env, batches: { ...env.batches, ...batches }, nextSeed: seedStream(seed, BODY_SALT) });
    const first = run(mixed);
    if (!labels) return first;
    return tf.add(tf.mul(first, lam), tf.mul(run(swapped), 1 - lam));
  };
};
