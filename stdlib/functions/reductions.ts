/** Reductions to a scalar, regularizer norms, and reshaping of whole values. */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { FnDef, Shape } from '../types.js';
import { fn, one } from './define.js';
import { l1Norm, l2Norm } from './norm-grads.js';
import { showShape, sizeOf } from './shapes.js';

const toScalar = (name: string, f: (x: tf.Tensor) => tf.Tensor): FnDef =>
  fn(name, ['x'], () => E.right([]), (args) => f(one(name, args)));

export const reductions: readonly FnDef[] = [
  toScalar('sum', (x) => tf.sum(x)),
  toScalar('mean', (x) => tf.mean(x)),
  toScalar('norm', l2Norm),
  toScalar('l1', l1Norm),
  toScalar('l2', (x) => tf.sum(tf.square(x))),
  fn(
    'flat',
    ['t'],
    ([s]) => E.right([sizeOf(s ?? [])]),
    (args) => tf.reshape(one('flat', args), [-1]),
  ),
  fn(
    'transpose',
    ['x'],
    ([s]): E.Either<string, Shape> =>
      s === undefined || s.length < 2
        ? E.left(`transpose expects a tensor of rank ≥ 2, got ${showShape(s ?? [])}`)
        : E.right([...s].reverse()),
    (args) => tf.transpose(one('transpose', args)),
  ),
];
