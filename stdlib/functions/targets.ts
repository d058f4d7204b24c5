/** How losses and metrics read labels: class indices `[B]` or target distributions `[B, C]`. */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Shape } from '../types.js';
import { dimsMeet, showShape, shapesMeet } from './shapes.js';

/**
 * Scores `[B, C]` against labels `[B]` (class indices) or `[B, C]` (a distribution per example,
 * e.g. mixed-up labels when `soft` is allowed).
 */
export const checkClassInputs = (
  name: string,
  scores: Shape,
  y: Shape,
  soft: boolean,
): E.Either<string, null> => {
  if (scores.length !== 2)
    return E.left(`${name} expects scores of shape [B, classes], got ${showShape(scores)}`);
  if (y.length === 1 && dimsMeet(y[0] ?? 0, scores[0] ?? 0)) return E.right(null);
  if (soft && shapesMeet(y, scores)) return E.right(null);
  return E.left(
    `${name} expects labels of shape [${String(scores[0])}]${soft ? ` or ${showShape(scores)}` : ''} for scores ${showShape(scores)}, got ${showShape(y)}`,
  );
};

/** Labels as a float `[B, C]` distribution: one-hot for class indices, unchanged for soft labels. */
export const targetDistribution = (y: tf.Tensor, classes: number): tf.Tensor =>
  y.rank === 2 ? tf.cast(y, 'float32') : tf.cast(tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), classes), 'float32');

/** Labels as int32 class indices `[B]` (the arg-max of soft labels). */
export const classIndices = (y: tf.Tensor): tf.Tensor =>
  y.rank === 2 ? tf.argMax(y, -1) : tf.cast(tf.reshape(y, [-1]), 'int32');

export const classesOf = (scores: tf.Tensor): number => {
  const c = scores.shape[scores.rank - 1];
  if (c === undefined) throw new Error('internal: scores without a class axis');
  return c;
};
