/**
 * Losses of two baselines the SRN paper names.
 *
 * - `logit_norm_loss(logits, y, temperature: 0.04)` (LogitNorm, Wei et al. 2022): cross-entropy of
 *   the logits divided by τ·‖logits‖ (per example), so training cannot lower the loss by growing
 *   the logits' norm.
 * - `sym_kl(a, b)` (R-Drop, Liang et al. 2021): ½(KL(p_a‖p_b) + KL(p_b‖p_a)) between the softmax
 *   distributions of two logit tensors, mean over the batch. R-Drop evaluates the network twice with
 *   two dropout masks and adds α·sym_kl of the two to their cross-entropies.
 */
import { tf } from '../tf.js';
import { logSoftmaxLast } from '../grad-registry.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, FnDef, Shape } from '../types.js';
import { must, numArg } from './args.js';
import { fn, two } from './define.js';
import { showShape, shapesMeet } from './shapes.js';
import { checkClassInputs, targetDistribution, classesOf } from './targets.js';

/** Keeps an all-zero logit row (the network's output at zero weights) finite. */
const NORM_FLOOR = 1e-7;

const tempSpec: readonly ArgSpec[] = [{ name: 'temperature', type: 'number', default: 0.04, doc: 'τ' }];
const tempOf = (o: ConstArgs): E.Either<string, number> =>
  E.chain((t: number) => (t > 0 ? E.right(t) : E.left(`logit_norm_loss: temperature must be positive, got ${t}`)))(
    numArg('logit_norm_loss', o, tempSpec, 'temperature'),
  );

const logitNormInfer = (shapes: readonly Shape[], o: ConstArgs): E.Either<string, Shape> => {
  const [s, y] = shapes;
  const ok = checkClassInputs('logit_norm_loss', s ?? [], y ?? [], true);
  if (E.isLeft(ok)) return ok;
  return E.map((): Shape => [])(tempOf(o));
};

const symKlInfer = ([a, b]: readonly Shape[]): E.Either<string, Shape> =>
  a !== undefined && b !== undefined && a.length === 2 && shapesMeet(a, b)
    ? E.right([])
    : E.left(`sym_kl expects two logit tensors of the same shape [B, classes], got ${showShape(a ?? [])} and ${showShape(b ?? [])}`);

export const baselineLosses: readonly FnDef[] = [
  fn(
    'logit_norm_loss',
    ['logits', 'y'],
    logitNormInfer,
    (args, o) => {
      const [logits, y] = two('logit_norm_loss', args);
      const tau = must(tempOf(o));
      const norms = tf.add(tf.norm(logits, 'euclidean', -1, true), NORM_FLOOR);
      const scaled = tf.div(logits, tf.mul(norms, tau));
      const q = targetDistribution(y, classesOf(logits));
      return tf.neg(tf.mean(tf.sum(tf.mul(q, logSoftmaxLast(tf, scaled)), -1)));
    },
    { options: tempSpec },
  ),
  fn('sym_kl', ['a', 'b'], symKlInfer, (args) => {
    const [a, b] = two('sym_kl', args);
    const la = logSoftmaxLast(tf, a);
    const lb = logSoftmaxLast(tf, b);
    const diff = tf.sub(la, lb);
    // KL(pa‖pb) + KL(pb‖pa) = Σ (pa − pb)(log pa − log pb).
    return tf.mul(0.5, tf.mean(tf.sum(tf.mul(tf.sub(tf.exp(la), tf.exp(lb)), diff), -1)));
  }),
];
