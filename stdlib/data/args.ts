/**
 * Loader and transform arguments: defaults filled in from the entry's `ArgSpec`s, then decoded
 * with an io-ts codec so that every loader works with typed values and reports a bad argument in
 * words ("argument 'n' must be a positive integer, got -3").
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { ArgSpec, ConstArgs, ConstValue } from '../types.js';

const refined = (name: string, ok: (n: number) => boolean): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => (typeof u === 'number' && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );

export const PosInt = refined('a positive integer', (n) => Number.isInteger(n) && n > 0);
export const NonNegInt = refined('a non-negative integer', (n) => Number.isInteger(n) && n >= 0);
export const NonNegNumber = refined('a non-negative number', (n) => Number.isFinite(n) && n >= 0);
export const Seed = refined('an integer seed', (n) => Number.isInteger(n));
export const Str = new t.Type<string, string, unknown>(
  'a string',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

export const oneOf = <A extends string>(...values: readonly A[]): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
    (u): u is A => typeof u === 'string' && (values as readonly string[]).includes(u),
    (u, c) =>
      typeof u === 'string' && (values as readonly string[]).includes(u)
        ? t.success(u as A)
        : t.failure(u, c),
    t.identity,
  );

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const explain = (errors: t.Errors): string =>
  errors
    .map((e) => {
      const key = e.context[1]?.key ?? '?';
      const expected = e.context[e.context.length - 1]?.type.name ?? 'valid';
      return `argument '${key}' must be ${expected}, got ${show(e.value)}`;
    })
    .join('; ');

/** Fills defaults, rejects unknown and missing arguments, and decodes the rest with `codec`. */
export const decodeArgs = <A>(
  entry: string,
  specs: readonly ArgSpec[],
  codec: t.Decoder<unknown, A>,
  args: ConstArgs,
): E.Either<string, A> => {
  const known = new Set(specs.map((s) => s.name));
  const unknown = Object.keys(args).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    return E.left(
      `${entry}: unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (it takes ${specs.map((s) => s.name).join(', ') || 'none'})`,
    );
  }
  const full: Record<string, ConstValue> = {};
  for (const s of specs) {
    const v = args[s.name] ?? s.default;
    if (v === undefined) return E.left(`${entry}: missing argument '${s.name}'`);
    full[s.name] = v;
  }
  return pipe(
    codec.decode(full),
    E.mapLeft((errs) => `${entry}: ${explain(errs)}`),
  );
};
