/**
 * Reading constant arguments. The compiler may or may not fill in defaults, so every reader falls
 * back to the entry's own `ArgSpec` default; a missing required argument or a value of the wrong
 * type is a message (a user error), never an exception.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, ConstValue } from '../types.js';

const lookupArg = (args: ConstArgs, specs: readonly ArgSpec[], name: string): ConstValue | undefined =>
  args[name] ?? specs.find((s) => s.name === name)?.default;

const missing = (owner: string, name: string): string => `${owner}: missing argument '${name}'`;

export const numArg = (
  owner: string,
  args: ConstArgs,
  specs: readonly ArgSpec[],
  name: string,
): E.Either<string, number> => {
  const v = lookupArg(args, specs, name);
  if (v === undefined) return E.left(missing(owner, name));
  return typeof v === 'number' && Number.isFinite(v)
    ? E.right(v)
    : E.left(`${owner}: argument '${name}' must be a number, got ${JSON.stringify(v)}`);
};

export const intArg = (
  owner: string,
  args: ConstArgs,
  specs: readonly ArgSpec[],
  name: string,
  min = 1,
): E.Either<string, number> => {
  const v = lookupArg(args, specs, name);
  if (v === undefined) return E.left(missing(owner, name));
  return typeof v === 'number' && Number.isInteger(v) && v >= min
    ? E.right(v)
    : E.left(`${owner}: argument '${name}' must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
};

export const boolArg = (
  owner: string,
  args: ConstArgs,
  specs: readonly ArgSpec[],
  name: string,
): E.Either<string, boolean> => {
  const v = lookupArg(args, specs, name);
  if (v === undefined) return E.left(missing(owner, name));
  return typeof v === 'boolean'
    ? E.right(v)
    : E.left(`${owner}: argument '${name}' must be true or false, got ${JSON.stringify(v)}`);
};

export const choiceArg = <S extends string>(
  owner: string,
  args: ConstArgs,
  specs: readonly ArgSpec[],
  name: string,
  choices: readonly S[],
): E.Either<string, S> => {
  const v = lookupArg(args, specs, name);
  if (v === undefined) return E.left(missing(owner, name));
  const found = choices.find((c) => c === v);
  return found !== undefined
    ? E.right(found)
    : E.left(
        `${owner}: argument '${name}' must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(v)}`,
      );
};

/** An integer list such as `shape: [7, 7, 64]`, or a single integer standing for `count` copies. */
export const intListArg = (
  owner: string,
  args: ConstArgs,
  specs: readonly ArgSpec[],
  name: string,
  count: number | undefined,
  min: number,
): E.Either<string, readonly number[]> => {
  const v = lookupArg(args, specs, name);
  if (v === undefined) return E.left(missing(owner, name));
  const bad = E.left(
    `${owner}: argument '${name}' must be ${count === undefined ? 'a list of integers' : `an integer or a list of ${count} integers`} ≥ ${min}, got ${JSON.stringify(v)}`,
  );
  const isInt = (x: ConstValue): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min;
  if (typeof v === 'number') return count !== undefined && isInt(v) ? E.right(Array<number>(count).fill(v)) : bad;
  if (!Array.isArray(v)) return bad;
  const xs: readonly ConstValue[] = v;
  if (count !== undefined && xs.length !== count) return bad;
  const out: number[] = [];
  for (const x of xs) {
    if (!isInt(x)) return bad;
    out.push(x);
  }
  return E.right(out);
};

/**
 * `apply` runs only after `infer` accepted the same arguments, so a left here is a bug in the
 * caller (it skipped the check), not a user error.
 */
export const must = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(`internal: apply called with arguments infer rejects: ${e.left}`);
  return e.right;
};
