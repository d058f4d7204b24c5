/**
 * `--set NAME=VALUE` against `let NAME = ...`: the value is read as the let's own kind of constant
 * (a list stays a list: `--set 'lams=[0.1, 1]'`), and a value of another kind is refused instead
 * of silently changing the program (a sweep over a number has no values: zero members).
 */
import * as E from 'fp-ts/lib/Either.js';
import { parseProgram } from '../../dsl/parse.js';
import type { ConstValue } from '../../stdlib/types.js';
import { constType, evalConst } from './consts.js';

const kind = (v: ConstValue): string => {
  const t = constType(v);
  return t === 'int' ? 'number' : t;
};

/** A command-line text as a constant: a list or an expression in the language's own syntax. */
const readText = (raw: string): ConstValue => {
  const parsed = parseProgram(`let v = ${raw}`, '--set');
  const d = parsed.program.decls[0];
  if (parsed.diagnostics.length > 0 || d === undefined || d.kind !== 'Let') return raw;
  const v = evalConst(d.value, () => E.left('no names on the command line'));
  return E.isRight(v) ? v.right : raw;
};

export const typedOverride = (name: string, given: ConstValue, declared: ConstValue): E.Either<{ message: string; hint: string }, ConstValue> => {
  const value = typeof given === 'string' && typeof declared !== 'string' ? readText(given) : given;
  // ints and other numbers are one kind: `let h = 4` may be set to 4.5 where the program allows it
  if (kind(value) === kind(declared)) return E.right(value);
  const example = Array.isArray(declared) ? `--set '${name}=[${declared.slice(0, 2).join(', ')}]'` : `--set ${name}=${JSON.stringify(declared)}`;
  return E.left({
    message: `--set ${name}=${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}: 'let ${name}' is a ${kind(declared)}, and this is a ${kind(value)}`,
    hint: `give a ${kind(declared)}, e.g. ${example}`,
  });
};
