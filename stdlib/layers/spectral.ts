/**
 * `spectral_dense(units, bias: true, iterations: 20)`: a dense layer whose weight is divided by its
 * largest singular value (spectral normalization, Miyato et al. 2018), a baseline the SRN paper
 * names. σ = uᵀWv with u, v from power iteration on a gradient-stopped copy of W, so the gradient
 * flows through W and σ's explicit dependence on W, as in the paper. The power iteration restarts
 * from a fixed vector at every evaluation (no persistent u: layers keep no state between steps), so
 * it runs `iterations` rounds each time instead of one.
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef } from '../types.js';
import { boolArg, intArg, must } from '../functions/args.js';
import { stopGradient } from '../functions/stop-gradient.js';
import { need } from './params.js';
import { denseApply, denseShapes } from './dense.js';

const specs: readonly ArgSpec[] = [
  { name: 'units', type: 'int', doc: 'output width' },
  { name: 'bias', type: 'bool', default: true },
  { name: 'iterations', type: 'int', default: 20, doc: 'power-iteration rounds per evaluation' },
];

interface Args {
  readonly units: number;
  readonly bias: boolean;
  readonly iterations: number;
}

const read = (a: ConstArgs): E.Either<string, Args> => {
  const units = intArg('spectral_dense', a, specs, 'units');
  const bias = boolArg('spectral_dense', a, specs, 'bias');
  const iterations = intArg('spectral_dense', a, specs, 'iterations');
  if (E.isLeft(units)) return units;
  if (E.isLeft(bias)) return bias;
  if (E.isLeft(iterations)) return iterations;
  return E.right({ units: units.right, bias: bias.right, iterations: iterations.right });
};

const unit = (v: tf.Tensor): tf.Tensor => tf.div(v, tf.add(tf.norm(v), 1e-12));

/** W / σ_max(W), σ by `iterations` rounds of power iteration from a fixed start. */
export const spectrallyNormalized = (w: tf.Tensor, iterations: number): tf.Tensor => {
  const fixed = stopGradient(w);
  const cols = w.shape[1] ?? 1;
  let v = unit(tf.ones([cols, 1]));
  let u = unit(tf.matMul(fixed, v));
  for (let i = 0; i < iterations; i++) {
    v = unit(tf.matMul(fixed, u, true, false));
    u = unit(tf.matMul(fixed, v));
  }
  const sigma = tf.sum(tf.mul(stopGradient(u), tf.matMul(w, stopGradient(v))));
  return tf.div(w, sigma);
};

export const spectralDense: LayerDef = {
  kind: 'layer',
  name: 'spectral_dense',
  args: specs,
  stochastic: false,
  infer: (inShape, a) => E.map(({ units, bias }: Args) => denseShapes(inShape, units, bias))(read(a)),
  apply: (p, x, a) =>
    tf.tidy(() => {
      const { bias, iterations } = must(read(a));
      return denseApply(x, spectrallyNormalized(need(p, 'w', 'spectral_dense'), iterations), bias ? need(p, 'b', 'spectral_dense') : undefined);
    }),
};
