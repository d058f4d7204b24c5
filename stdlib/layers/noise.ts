/**
 * Stochastic layers with a fresh draw per evaluation, seeded by `ctx.nextSeed()`, and the identity
 * when `ctx.stochastic` is false (each is the identity in expectation, so that is the right
 * deterministic evaluation).
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef } from '../types.js';
import { must, numArg } from '../functions/args.js';
import { need, param } from './params.js';
import { gaussianInto } from '../random/gaussian.js';
import { filledTensor } from '../filled-tensor.js';
import { tfSeed } from '../random/tf-seed.js';

const noiseSpecs: readonly ArgSpec[] = [{ name: 'init', type: 'number', default: -3, doc: 'initial log σ' }];

const noiseLayer = (name: 'noise' | 'mult_noise', combine: (x: tf.Tensor, scaledEps: tf.Tensor) => tf.Tensor): LayerDef => ({
  kind: 'layer',
  name,
  args: noiseSpecs,
  stochastic: true,
  infer: (inShape, a) =>
    E.map((init: number) => ({
      params: [param('log_sigma', [], { kind: 'constant', value: init }, 'noise_scale')],
      outShape: inShape,
    }))(numArg(name, a, noiseSpecs, 'init')),
  apply: (p, x, _a, ctx) =>
    tf.tidy(() => {
      if (!ctx.stochastic) return tf.clone(x);
      const seed = ctx.nextSeed();
      const eps = filledTensor(x.shape, 'float32', (v) => void gaussianInto(v, seed));
      return combine(x, tf.mul(tf.exp(need(p, 'log_sigma', name)), eps));
    }),
});

/** h + σε. */
export const noise = noiseLayer('noise', (x, se) => tf.add(x, se));
/** h·(1 + σε). */
export const multNoise = noiseLayer('mult_noise', (x, se) => tf.mul(x, tf.add(1, se)));

const dropoutSpecs: readonly ArgSpec[] = [{ name: 'rate', type: 'number', default: 0.5, doc: 'probability of dropping' }];
const rateOf = (a: ConstArgs): E.Either<string, number> =>
  E.chain((r: number) => (r >= 0 && r < 1 ? E.right(r) : E.left(`dropout: rate must lie in [0, 1), got ${r}`)))(
    numArg('dropout', a, dropoutSpecs, 'rate'),
  );

/** Inverted dropout: kept units are scaled by 1/(1 − rate), so the expectation is unchanged. */
export const dropout: LayerDef = {
  kind: 'layer',
  name: 'dropout',
  args: dropoutSpecs,
  stochastic: true,
  infer: (inShape, a) => E.map(() => ({ params: [], outShape: inShape }))(rateOf(a)),
  apply: (_p, x, a, ctx) =>
    tf.tidy(() => {
      const rate = must(rateOf(a));
      if (!ctx.stochastic || rate === 0) return tf.clone(x);
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', tfSeed(ctx.nextSeed())), rate), 'float32');
      return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
    }),
};
