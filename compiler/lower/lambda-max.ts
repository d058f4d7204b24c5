/**
 * `lambda_max(e, S, iterations: k)`: the largest eigenvalue of the Hessian of `e` in the parameters
 * S, by k steps of power iteration on exact Hessian-vector products (stdlib/curvature/hessian.ts).
 *
 * Every product must differentiate one function, so each evaluation of the body inside the power
 * iteration sees the same data (the batches of this evaluation: a metric's whole splits), the same
 * draws of its stochastic layers (a replayed seed stream: a body with dropout is measured at one
 * draw of the masks) and the same states of its running helpers (a copy each time: measuring the
 * curvature must not advance a z-score k times). The random start vector is drawn from the same
 * step key, so a run and its resumption log the same value.
 */
import { tf } from '../../stdlib/tf.js';
import { largestHessianEigenvalue } from '../../stdlib/curvature/hessian.js';
import type { IRExpr } from '../ir.js';
import type { Env, Ev } from './eval.js';
import { combineSeeds, seedStream } from './seeds.js';

/** Salt of the replayed stream the body draws its noise from. */
const BODY_SALT = 0x1a3;

export const lambdaMaxEv = (node: Extract<IRExpr, { kind: 'lambdaMax' }>, body: Ev): Ev => {
  const paths = node.paths;
  const iterations = node.iterations;
  return (env: Env) => {
    const seed = env.nextSeed();
    const theta = paths.map((p) => {
      const t = env.params[p];
      // the compiler resolved every path to a parameter the state holds: a miss is lowering's bug
      if (t === undefined) throw new Error(`internal error: no parameter '${p}' at evaluation time`);
      return t;
    });
    const f = (at: readonly tf.Tensor[]): tf.Tensor => {
      const params: Record<string, tf.Tensor> = { ...env.params };
      paths.forEach((p, i) => {
        params[p] = at[i] as tf.Tensor;
      });
      return tf.reshape(body({ ...env, params, helpers: { ...env.helpers }, nextSeed: seedStream(seed, BODY_SALT) }), []);
    };
    const e = largestHessianEigenvalue(f, theta, { iterations, seed: combineSeeds(seed, 1) });
    e.change.dispose();
    return e.value;
  };
};
