/** Losses, each the mean over the batch of a per-example loss. */
import { tf } from '../tf.js';
import { logSoftmaxLast } from '../grad-registry.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, FnDef, Shape } from '../types.js';
import { must, numArg } from './args.js';
import { fn, one, two } from './define.js';
import { checkClassInputs, classesOf, targetDistribution } from './targets.js';
import { crossEntropy, crossEntropyFixedTargets } from './softmax-cross-entropy.js';
import { showShape, shapesMeet } from './shapes.js';

const smoothingSpec: readonly ArgSpec[] = [{ name: 'smoothing', type: 'number', default: 0, doc: 'label smoothing ε' }];
const epsSpec: readonly ArgSpec[] = [{ name: 'eps', type: 'number', default: 1e-3, doc: 'guard against 1/0' }];

/** Probabilities are clamped before the log so a confident wrong answer costs log(1e-12), not ∞. */
const PROB_FLOOR = 1e-12;

const classLoss =
  (name: string, soft: boolean, check?: (o: ConstArgs) => E.Either<string, unknown>) =>
  (shapes: readonly Shape[], options: ConstArgs): E.Either<string, Shape> => {
    const [s, y] = shapes;
    const ok = checkClassInputs(name, s ?? [], y ?? [], soft);
    if (E.isLeft(ok)) return ok;
    if (check !== undefined) {
      const c = check(options);
      if (E.isLeft(c)) return c;
    }
    return E.right([]);
  };

const smoothingOf = (o: ConstArgs): E.Either<string, number> =>
  E.chain((s: number) => (s >= 0 && s <= 1 ? E.right(s) : E.left(`cross_entropy: smoothing must lie in [0, 1], got ${s}`)))(
    numArg('cross_entropy', o, smoothingSpec, 'smoothing'),
  );

const epsOf = (o: ConstArgs): E.Either<string, number> =>
  E.chain((e: number) => (e > 0 ? E.right(e) : E.left(`inverse_margin: eps must be positive, got ${e}`)))(
    numArg('inverse_margin', o, epsSpec, 'eps'),
  );

/** Per-example margin: the true class's logit minus the largest other logit. */
export const margins = (logits: tf.Tensor, y: tf.Tensor): tf.Tensor => {
  const onehot = targetDistribution(y, classesOf(logits));
  const isTrue = tf.greater(onehot, 0.5);
  const trueLogit = tf.sum(tf.mul(logits, onehot), -1);
  const others = tf.where(isTrue, tf.fill(logits.shape, Number.NEGATIVE_INFINITY), logits);
  return tf.sub(trueLogit, tf.max(others, -1));
};

export const losses: readonly FnDef[] = [
  fn(
    'mse',
    ['pred', 'y'],
    ([p, y]): E.Either<string, Shape> => {
      const ps = p ?? [];
      const ys = y ?? [];
      // A regression head `dense(1)` yields [B, 1] against labels [B].
      const squeezed = ps.length === ys.length + 1 && ps[ps.length - 1] === 1 ? ps.slice(0, -1) : ps;
      return shapesMeet(squeezed, ys)
        ? E.right([])
        : E.left(`mse expects predictions shaped like the labels ${showShape(ys)} (or with a trailing 1), got ${showShape(ps)}`);
    },
    (args) => {
      const [p, y] = two('mse', args);
      const yf = tf.cast(y, 'float32');
      return tf.mean(tf.square(tf.sub(tf.reshape(p, yf.shape), yf)));
    },
  ),
  fn(
    'cross_entropy',
    ['logits', 'y'],
    classLoss('cross_entropy', true, smoothingOf),
    (args, o) => {
      const [logits, y] = two('cross_entropy', args);
      const c = classesOf(logits);
      const s = must(smoothingOf(o));
      // Without smoothing q·1 + 0 is q to the bit, and the rows of a one-hot q sum to exactly 1.
      const t = targetDistribution(y, c);
      const q = s === 0 ? t : tf.add(tf.mul(t, 1 - s), s / c);
      return y.rank === 2 ? crossEntropy(logits, q) : crossEntropyFixedTargets(logits, q, s === 0);
    },
    { options: smoothingSpec },
  ),
  fn('nll', ['probs', 'y'], classLoss('nll', true), (args) => {
    const [probs, y] = two('nll', args);
    const q = targetDistribution(y, classesOf(probs));
    return tf.neg(tf.mean(tf.sum(tf.mul(q, tf.log(tf.clipByValue(probs, PROB_FLOOR, 1))), -1)));
  }),
  fn('margin', ['logits', 'y'], classLoss('margin', false), (args) => {
    const [logits, y] = two('margin', args);
    return tf.mean(margins(logits, y));
  }),
  fn(
    'inverse_margin',
    ['logits', 'y'],
    classLoss('inverse_margin', false, epsOf),
    (args, o) => {
      const [logits, y] = two('inverse_margin', args);
      const eps = must(epsOf(o));
      return tf.mean(tf.reciprocal(tf.add(tf.softplus(margins(logits, y)), eps)));
    },
    { options: epsSpec },
  ),
  fn(
    'confidence_penalty',
    ['logits'],
    ([s]) => (s !== undefined && s.length === 2 ? E.right([]) : E.left(`confidence_penalty expects logits of shape [B, classes], got ${showShape(s ?? [])}`)),
    (args) => {
      const logp = logSoftmaxLast(tf, one('confidence_penalty', args));
      return tf.mean(tf.sum(tf.mul(tf.exp(logp), logp), -1));
    },
  ),
];
