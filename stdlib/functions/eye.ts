/**
 * `eye(n)`: the n×n identity matrix, a constant. It lets penalties that compare a matrix with the
 * identity be written in the language itself: `fn orthogonality(W) = sum((W^T @ W - eye(8)) ^ 2)`.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, FnDef } from '../types.js';
import { intArg, must } from './args.js';
import { fn } from './define.js';
import { tf } from '../tf.js';

const specs: readonly ArgSpec[] = [{ name: 'n', type: 'int', doc: 'rows and columns' }];

export const eye: FnDef = fn(
  'eye',
  [],
  (_shapes, o) => E.map((n: number) => [n, n])(intArg('eye', o, specs, 'n')),
  (_args, o) => tf.eye(must(intArg('eye', o, specs, 'n'))),
  { options: specs, differentiable: false },
);
