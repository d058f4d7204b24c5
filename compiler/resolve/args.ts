/** Binds a call's arguments to a registry entry's `ArgSpec`s: unknown, missing, wrong type. */
import * as E from 'fp-ts/lib/Either.js';
import type { Argument } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { suggest } from '../../dsl/suggest.js';
import type { ArgSpec, ConstArgs, ConstValue } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { constType, evalConst, type ConstLookup } from './consts.js';

const fits = (spec: ArgSpec['type'], v: ConstValue): boolean => {
  const t = constType(v);
  if (spec === 'number') return t === 'int' || t === 'number';
  return t === spec;
};

/**
 * Evaluates `args` against `specs`; positional arguments fill specs in order. Reports every
 * problem and returns the arguments it could bind, defaults filled in.
 */
export const bindConstArgs = (
  what: string,
  specs: readonly ArgSpec[],
  args: readonly Argument[],
  lookup: ConstLookup,
  callSpan: Span,
  diags: Diagnostic[],
  /** Arguments given elsewhere (an optimizer option bound per sweep member): neither missing nor defaulted. */
  supplied: ReadonlySet<string> = new Set(),
): ConstArgs => {
  const out: Record<string, ConstValue> = {};
  const attempted = new Set<string>();
  const unknown: Argument[] = [];
  let pos = 0;
  for (const a of args) {
    let spec: ArgSpec | undefined;
    if (a.name !== undefined) {
      const nm = a.name.name;
      spec = specs.find((s) => s.name === nm);
      if (spec === undefined) {
        unknown.push(a);
        continue;
      }
    } else {
      spec = specs[pos++];
      if (spec === undefined) {
        diags.push(error(Codes.tooManyArgs, `${what} takes at most ${specs.length} argument${specs.length === 1 ? '' : 's'}`, a.span));
        continue;
      }
    }
    attempted.add(spec.name);
    const v = evalConst(a.value, lookup);
    if (E.isLeft(v)) {
      diags.push(v.left);
      continue;
    }
    if (!fits(spec.type, v.right)) {
      diags.push(error(Codes.argType, `argument '${spec.name}' of ${what} must be ${spec.type === 'int' ? 'an int' : `a ${spec.type}`}, got ${constType(v.right)} ${JSON.stringify(v.right)}`, a.value.span));
      continue;
    }
    out[spec.name] = v.right;
  }
  const missing: string[] = [];
  for (const s of specs) {
    if (out[s.name] !== undefined || supplied.has(s.name)) continue;
    if (s.default !== undefined) out[s.name] = s.default;
    else if (!attempted.has(s.name)) missing.push(s.name);
  }
  const names = specs.map((s) => s.name);
  for (const [i, a] of unknown.entries()) {
    const nm = a.name?.name ?? '';
    // a misnamed required argument (`learning_rate` for `lr`) is one mistake, reported here only
    const hint = suggest(nm, names) ?? (i === 0 && missing.length === 1 ? missing[0] : undefined);
    diags.push(
      error(
        Codes.unknownArg,
        `${what} has no argument '${nm}'${missing.length > 0 ? ` (it needs ${missing.map((m) => `'${m}'`).join(', ')})` : ''}`,
        a.name?.span ?? a.span,
        hint !== undefined ? `did you mean '${hint}'?` : specs.length > 0 ? `its arguments: ${names.join(', ')}` : `${what} takes no arguments`,
      ),
    );
  }
  if (unknown.length === 0) for (const m of missing) diags.push(error(Codes.missingArg, `${what} needs argument '${m}'`, callSpan));
  return out;
};
