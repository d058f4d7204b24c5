/** Small constructors for function entries, so each family file states only what differs. */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, FnDef, Shape } from '../types.js';
import { showShape } from './shapes.js';

/** An elementwise function of one tensor: same shape out as in. */
export const unary = (
  name: string,
  f: (x: tf.Tensor, options: ConstArgs) => tf.Tensor,
  opts: { readonly options?: readonly ArgSpec[]; readonly differentiable?: boolean; readonly check?: (o: ConstArgs) => E.Either<string, unknown> } = {},
): FnDef => ({
  kind: 'fn',
  name,
  tensorArgs: ['x'],
  options: opts.options ?? [],
  differentiable: opts.differentiable ?? true,
  infer: (shapes, options) => {
    const [s] = shapes;
    if (s === undefined || shapes.length !== 1) return E.left(`${name} takes one tensor, got ${shapes.length}`);
    if (opts.check !== undefined) {
      const c = opts.check(options);
      if (E.isLeft(c)) return c;
    }
    return E.right(s);
  },
  apply: (args, options) => tf.tidy(() => f(one(name, args), options)),
});

/** A function whose shape rule needs more than identity (softmax over the last axis, reductions). */
export const fn = (
  name: string,
  tensorArgs: readonly string[],
  infer: (shapes: readonly Shape[], options: ConstArgs) => E.Either<string, Shape>,
  f: (args: readonly tf.Tensor[], options: ConstArgs) => tf.Tensor,
  opts: { readonly options?: readonly ArgSpec[]; readonly differentiable?: boolean } = {},
): FnDef => ({
  kind: 'fn',
  name,
  tensorArgs,
  options: opts.options ?? [],
  differentiable: opts.differentiable ?? true,
  infer: (shapes, options) =>
    shapes.length !== tensorArgs.length
      ? E.left(`${name} takes ${tensorArgs.length} tensor argument${tensorArgs.length === 1 ? '' : 's'} (${tensorArgs.join(', ')}), got ${shapes.length}`)
      : infer(shapes, options),
  apply: (args, options) => tf.tidy(() => f(args, options)),
});

export const one = (name: string, args: readonly tf.Tensor[]): tf.Tensor => {
  const [x] = args;
  if (x === undefined) throw new Error(`internal: ${name} applied to no tensor`);
  return x;
};

export const two = (name: string, args: readonly tf.Tensor[]): readonly [tf.Tensor, tf.Tensor] => {
  const [a, b] = args;
  if (a === undefined || b === undefined) throw new Error(`internal: ${name} applied to fewer than two tensors`);
  return [a, b];
};

export const rankAtLeast = (name: string, what: string, s: Shape, r: number): E.Either<string, Shape> =>
  s.length >= r ? E.right(s) : E.left(`${name} expects ${what} of rank ≥ ${r}, got ${showShape(s)}`);
