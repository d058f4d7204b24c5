/** The parser must survive anything: random token soups and mutations of a valid program. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lex } from '../../dsl/lexer.js';
import { parseProgram } from '../../dsl/parse.js';

const sample = readFileSync(join(import.meta.dirname, 'fixtures', 'brief_sketches.xreg'), 'utf8');
const sampleTokens = lex(sample, 's').tokens.map((t) => t.image);

const vocabulary = [
  ...new Set([...sampleTokens, '"str', '"ok"', '$', '\n', '}', '{', ')', '(', ']', '[', '|>', '#c\n', '1e', '.5', 'mean', '\\']),
];

const holds = (text: string): void => {
  const r = parseProgram(text, 'p.xreg');
  expect(Array.isArray(r.diagnostics)).toBe(true);
  expect(r.program.kind).toBe('Program');
  expect(Array.isArray(r.program.decls)).toBe(true);
  for (const d of r.diagnostics) {
    expect(d.span.start.line).toBeGreaterThanOrEqual(1);
    expect(d.span.start.column).toBeGreaterThanOrEqual(1);
    expect(d.span.end.offset).toBeGreaterThanOrEqual(d.span.start.offset);
    expect(d.span.end.offset).toBeLessThanOrEqual(text.length);
    expect(d.message).not.toMatch(/Expecting|Token sequences|RECORDING/);
  }
};

type Mutation = { op: 'delete' | 'duplicate' | 'swap' | 'truncate'; at: number; other: number };

const mutate = (tokens: readonly string[], ms: readonly Mutation[]): string[] => {
  let out = [...tokens];
  for (const m of ms) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    const j = m.other % out.length;
    if (m.op === 'delete') out.splice(i, 1);
    else if (m.op === 'duplicate') out.splice(i, 0, out[i] ?? '');
    else if (m.op === 'truncate') out = out.slice(0, i);
    else {
      const a = out[i] ?? '';
      out[i] = out[j] ?? '';
      out[j] = a;
    }
  }
  return out;
};

describe('parser robustness', () => {
  it('accepts every sketch of the brief', () => {
    const r = parseProgram(sample, 's.xreg');
    expect(r.diagnostics).toEqual([]);
    expect(r.program.decls.length).toBe(25);
  });

  it('never throws on token soups', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 60 }), fc.boolean(), (toks, newlines) => {
        holds(toks.join(newlines ? '\n' : ' '));
      }),
      { numRuns: 120 },
    );
  });

  it('never throws on mutations of a valid program', () => {
    const mutation = fc.record({
      op: fc.constantFrom<Mutation['op']>('delete', 'duplicate', 'swap', 'truncate'),
      at: fc.nat(),
      other: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        holds(mutate(sampleTokens, ms).join(' '));
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => holds(s)),
      { numRuns: 50 },
    );
  });
});
