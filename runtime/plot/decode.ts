/** Decoding of the run directory's files into values, with short messages a person can act on. */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

const isComponentKey = (parent: t.Decoder<unknown, unknown> | undefined): boolean =>
  parent instanceof t.IntersectionType || parent instanceof t.UnionType;

/** `points[3].norm` from an io-ts context, skipping the indices of intersection/union members. */
export const errorPath = (e: t.ValidationError): string => {
  let out = '';
  e.context.forEach((c, i) => {
    if (i === 0) return;
    const parent = e.context[i - 1]?.type;
    if (isComponentKey(parent)) return;
    out += parent instanceof t.ArrayType ? `[${c.key}]` : out === '' ? c.key : `.${c.key}`;
  });
  return out;
};

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** One line per offending place (a union reports each member; the first says enough). */
export const formatErrors = (errors: t.Errors): string => {
  const seen = new Map<string, string>();
  for (const e of errors) {
    const p = errorPath(e);
    if (seen.has(p)) continue;
    // A failed union member says only its own type; the union's name says what would do.
    const parent = e.context[e.context.length - 2]?.type;
    const expected = (parent instanceof t.UnionType ? parent.name : e.context[e.context.length - 1]?.type.name) ?? 'a valid value';
    seen.set(p, `${p === '' ? 'value' : p}: expected ${expected}, got ${show(e.value)}`);
  }
  return [...seen.values()].join('; ');
};

const parseJson = (text: string): E.Either<string, unknown> =>
  E.tryCatch(
    (): unknown => JSON.parse(text),
    (err) => `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
  );

/** Parses and decodes one JSON document; the message starts with `label`. */
export const decodeJsonText = <A>(label: string, text: string, codec: t.Decoder<unknown, A>): E.Either<string, A> => {
  const parsed = parseJson(text);
  if (E.isLeft(parsed)) return E.left(`${label}: ${parsed.left}`);
  const d = codec.decode(parsed.right);
  return E.isLeft(d) ? E.left(`${label}: ${formatErrors(d.left)}`) : E.right(d.right);
};

/** Decodes a JSON-lines text line by line; blank lines are skipped; the message names the line. */
export const decodeJsonLines = <A>(label: string, text: string, codec: t.Decoder<unknown, A>): E.Either<string, A[]> => {
  const out: A[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    const d = decodeJsonText(`${label}:${i + 1}`, line, codec);
    if (E.isLeft(d)) return d;
    out.push(d.right);
  }
  return E.right(out);
};
