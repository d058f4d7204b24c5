/**
 * The whole front end (parser, resolver, type checker) must survive hostile programs: deep
 * nesting, long chains, huge literals, every keyword in every position. Each input must give
 * diagnostics with valid spans, never a throw (a stack overflow included). The long campaign is
 * bench/faults/parser-fuzz.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { lex } from '../../dsl/lexer.js';
import { deepNesting, hugeLiteral, KEYWORDS, longChain, VALID, withKeywordAt } from '../../bench/faults/fuzz-inputs.js';

const survives = (text: string): void => {
  const r = compileText(text, 'f.xreg');
  for (const d of r.diagnostics) {
    expect(d.span.start.line).toBeGreaterThanOrEqual(1);
    expect(d.span.end.offset).toBeLessThanOrEqual(text.length);
    expect(d.message).not.toMatch(/Maximum call stack|Expecting|RangeError/);
  }
};

describe('front-end fuzz (fast part)', () => {
  it('deep nesting of brackets and prefix operators, up to 400 levels', () => {
    fc.assert(fc.property(deepNesting(400), survives), { numRuns: 40, seed: 15 });
  });
  it('chains of one operator up to 8,000 long', () => {
    fc.assert(fc.property(longChain(8000), survives), { numRuns: 20, seed: 15 });
  });
  it('huge literals', () => {
    fc.assert(fc.property(hugeLiteral, survives), { numRuns: 30, seed: 15 });
  });
  it('every keyword at every 7th token of a valid program', () => {
    const offsets = lex(VALID, 'v').tokens.map((t) => t.startOffset);
    let n = 0;
    for (let i = 0; i < offsets.length; i += 7) {
      for (const k of KEYWORDS) {
        survives(withKeywordAt(VALID, offsets, i, k));
        n++;
      }
    }
    expect(n).toBeGreaterThan(300);
  });
});
