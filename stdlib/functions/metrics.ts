/** Metrics that are observed, never optimized: no gradient flows through them. */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, FnDef, Shape } from '../types.js';
import { intArg, must } from './args.js';
import { fn, two } from './define.js';
import { checkClassInputs, classIndices } from './targets.js';

const binsSpec: readonly ArgSpec[] = [{ name: 'bins', type: 'int', default: 15, doc: 'equal-width confidence bins' }];
const binsOf = (o: ConstArgs): E.Either<string, number> => intArg('calibration_error', o, binsSpec, 'bins');

const metric =
  (name: string, check?: (o: ConstArgs) => E.Either<string, unknown>) =>
  (shapes: readonly Shape[], o: ConstArgs): E.Either<string, Shape> => {
    const [s, y] = shapes;
    const ok = checkClassInputs(name, s ?? [], y ?? [], true);
    if (E.isLeft(ok)) return ok;
    if (check !== undefined) {
      const c = check(o);
      if (E.isLeft(c)) return c;
    }
    return E.right([]);
  };

const correct = (scores: tf.Tensor, y: tf.Tensor): tf.Tensor =>
  tf.cast(tf.equal(tf.cast(tf.argMax(scores, -1), 'int32'), classIndices(y)), 'float32');

export const metrics: readonly FnDef[] = [
  fn(
    'accuracy',
    ['scores', 'y'],
    metric('accuracy'),
    (args) => {
      const [scores, y] = two('accuracy', args);
      return tf.mean(correct(scores, y));
    },
    { differentiable: false },
  ),
  /**
   * Expected calibration error (Guo et al. 2017): bins (k/M, (k+1)/M] of the top probability;
   * ECE = Σ_b |Σ_{i∈b} correct_i − Σ_{i∈b} conf_i| / N, which is Σ_b (n_b/N)|acc_b − conf_b|
   * without dividing by empty bins.
   */
  fn(
    'calibration_error',
    ['probs', 'y'],
    metric('calibration_error', binsOf),
    (args, o) => {
      const [probs, y] = two('calibration_error', args);
      const m = must(binsOf(o));
      const conf = tf.max(probs, -1);
      const bin = tf.cast(tf.clipByValue(tf.sub(tf.ceil(tf.mul(conf, m)), 1), 0, m - 1), 'int32');
      // Bin membership [N, M] (oneHot would refuse a single bin).
      const member = tf.cast(tf.equal(tf.reshape(bin, [-1, 1]), tf.range(0, m, 1, 'int32')), 'float32');
      const gap = tf.sub(tf.matMul(tf.reshape(correct(probs, y), [1, -1]), member), tf.matMul(tf.reshape(conf, [1, -1]), member));
      return tf.div(tf.sum(tf.abs(gap)), conf.shape[0] ?? 1);
    },
    { options: binsSpec, differentiable: false },
  ),
];
