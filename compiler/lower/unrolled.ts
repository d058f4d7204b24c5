/**
 * `on L through F for K steps`: the gradient of L at θ_K in ρ, where θ_{k+1} = θ_k − η∇θF(θ_k, ρ)
 * from the current θ (Luketina et al. 2016 for K = 1; truncated back-propagation through training
 * for K > 1). Order 2 differentiates through the steps — reverse mode over the K inner gradients,
 * each a Hessian-vector product in the backward pass, so the result is exact for the truncated
 * problem; order 1 holds θ_K constant and gives ∂L/∂ρ at θ_K (DARTS' first order). The backward
 * pass keeps the K inner evaluations alive: memory grows linearly in K (compiler/through.ts caps it).
 */
import { tf } from '../../stdlib/tf.js';
import type { ThroughMethod } from '../ir.js';
import { gradsOf } from './grads.js';

type Params = Readonly<Record<string, tf.Tensor>>;

export interface UnrolledResult {
  readonly grads: tf.Tensor[];
  /** Bytes of tensors alive at the end of the unrolled forward pass, beyond those before it. */
  readonly bytes: number;
}

export const unrolledGradients = (
  outerAt: (p: Params) => tf.Tensor,
  innerAt: (p: Params) => tf.Tensor,
  base: Params,
  rho: readonly string[],
  theta: readonly string[],
  innerLr: readonly number[],
  method: Extract<ThroughMethod, { kind: 'unrolled' }>,
): UnrolledResult => {
  const need = (p: Params, k: string): tf.Tensor => {
    const t = p[k];
    if (t === undefined) throw new Error(`internal error: no parameter '${k}' to unroll`);
    return t;
  };
  const lr = theta.map((_, i) => method.lr ?? innerLr[i] ?? 0);
  const step = (p: Params): Params => {
    const th = theta.map((k) => need(p, k));
    const g = gradsOf(() => innerAt(p), th);
    const next: Record<string, tf.Tensor> = { ...p };
    theta.forEach((k, i) => {
      next[k] = tf.sub(th[i] as tf.Tensor, tf.mul(g[i] as tf.Tensor, lr[i] as number));
    });
    return next;
  };
  const before = tf.memory().numBytes;
  let bytes = 0;
  const forward = (): Params => {
    let p = base;
    for (let k = 0; k < method.steps; k++) p = step(p);
    bytes = tf.memory().numBytes - before;
    return p;
  };
  const rhoT = rho.map((k) => need(base, k));
  if (method.order === 1) {
    // θ_K computed outside the differentiated function: a constant to it.
    const end = forward();
    return { grads: gradsOf(() => outerAt(end), rhoT), bytes };
  }
  return { grads: gradsOf(() => outerAt(forward()), rhoT), bytes };
};
