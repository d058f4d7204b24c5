/**
 * Reading an optimizer's constant options. The compiler checks names and types against the
 * ArgSpecs; these decoders add the range checks only the optimizer knows (β in [0, 1), …) and fill
 * in defaults, so that `step` works with plain numbers.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { ArgSpec, ConstArgs } from '../types.js';

/** Options every optimizer accepts for its learning-rate schedule (read by `makeLrSchedule`). */
export const scheduleArgs: readonly ArgSpec[] = [
  { name: 'schedule', type: 'string', default: 'constant', doc: '"constant", "step" or "cosine"' },
  { name: 'warmup', type: 'int', default: 0, doc: 'linear warm-up over the first N updates' },
  { name: 'step_every', type: 'int', default: 0, doc: 'for "step": updates between decays (required, > 0)' },
  { name: 'step_gamma', type: 'number', default: 0.1, doc: 'for "step": factor applied at each decay' },
  { name: 'min_lr', type: 'number', default: 0, doc: 'for "cosine": the learning rate reached at the end' },
  { name: 'min', type: 'number', default: -Infinity, doc: 'after every step each updated value is clamped to at least this (a penalty weight kept ≥ 0)' },
  { name: 'max', type: 'number', default: Infinity, doc: 'after every step each updated value is clamped to at most this' },
];

export const lrArg: ArgSpec = { name: 'lr', type: 'number', doc: 'base learning rate' };

const formatErrors = (errors: t.Errors): string =>
  errors
    .map((e) => {
      const key = e.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.');
      return `option '${key}' must be ${e.context[e.context.length - 1]?.type.name ?? 'valid'}, got ${JSON.stringify(e.value)}`;
    })
    .join('; ');

/** Decodes `options` with `codec` (a `t.partial` of the optimizer's own options) into a message on failure. */
export const decodeWith = <A>(optimizer: string, codec: t.Decoder<unknown, A>, options: ConstArgs): E.Either<string, A> => {
  const r = codec.decode(options);
  return E.isLeft(r) ? E.left(`${optimizer}: ${formatErrors(r.left)}`) : E.right(r.right);
};

/** A range check: Right(value) when `ok`, otherwise a message naming the option. */
export const check = (optimizer: string, name: string, value: number, ok: boolean, want: string): E.Either<string, number> =>
  ok ? E.right(value) : E.left(`${optimizer}: option '${name}' must be ${want}, got ${value}`);

export const nonNegative = (optimizer: string, name: string, v: number): E.Either<string, number> =>
  check(optimizer, name, v, Number.isFinite(v) && v >= 0, 'a finite number ≥ 0');

export const positive = (optimizer: string, name: string, v: number): E.Either<string, number> =>
  check(optimizer, name, v, Number.isFinite(v) && v > 0, 'a finite number > 0');

/** Decay rates of moving averages: 1 would never forget, and make bias corrections divide by 0. */
export const decayRate = (optimizer: string, name: string, v: number): E.Either<string, number> =>
  check(optimizer, name, v, v >= 0 && v < 1, 'in [0, 1)');

/**
 * `step` cannot return an error (the OptimizerDef contract), and the compiler validates options with
 * `validateOptimizerOptions` before lowering; reaching a Left here is a bug in the caller, not a
 * user error, so it is reported loudly.
 */
export const orFail = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(`internal error: unchecked optimizer options reached step: ${r.left}`);
  return r.right;
};
