/**
 * The token types state their first characters (`start_chars_hint`) and whether they span lines
 * (`line_breaks`) so that chevrotain need not parse their patterns at start-up (dsl/lexer.ts). Here
 * chevrotain does that analysis on the same tokens without the hints, and both lexers must come
 * out the same: a hint that forgets a first character would make the lexer skip the token there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lexer, type ILexingResult, type TokenType } from 'chevrotain';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { allTokens, makeLexer } from '../../dsl/lexer.js';

/** The parts of chevrotain's analysis that the hints replace, per lexer mode. */
const Analysis = t.type({
  patternIdxToConfig: t.record(t.string, t.array(t.type({ tokenTypeIdx: t.number, canLineTerminator: t.boolean }))),
  charCodeToPatternIdxToConfig: t.record(t.string, t.array(t.union([t.undefined, t.array(t.type({ tokenTypeIdx: t.number }))]))),
  canModeBeOptimized: t.record(t.string, t.boolean),
});

const analysisOf = (lexer: Lexer): unknown => {
  const a = Analysis.decode(lexer);
  if (E.isLeft(a)) throw new Error('chevrotain no longer keeps its lexer analysis where this test reads it');
  const modes = Object.keys(a.right.patternIdxToConfig);
  return modes.map((m) => ({
    mode: m,
    lineBreaks: (a.right.patternIdxToConfig[m] ?? []).map((c) => [c.tokenTypeIdx, c.canLineTerminator]),
    firstChars: (a.right.charCodeToPatternIdxToConfig[m] ?? []).map((cs) => cs?.map((c) => c.tokenTypeIdx) ?? []),
    optimized: a.right.canModeBeOptimized[m],
  }));
};

/** The same token types without the two hints (copies: the hinted ones stay untouched). */
const copies = new Map<TokenType, TokenType>(
  allTokens.map((tok) => {
    const copy: TokenType = { ...tok };
    delete copy.START_CHARS_HINT;
    delete copy.LINE_BREAKS;
    return [tok, copy];
  }),
);
const copyOf = (tok: TokenType): TokenType => copies.get(tok) ?? tok;
for (const copy of copies.values()) {
  const alt = copy.LONGER_ALT;
  if (alt !== undefined) copy.LONGER_ALT = Array.isArray(alt) ? alt.map(copyOf) : copyOf(alt);
}
const unhinted = allTokens.map(copyOf);
const analysed = new Lexer(unhinted, { positionTracking: 'full', ensureOptimizations: true, skipValidations: true });
const hinted = makeLexer();

const programs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? programs(p) : e.name.endsWith('.xreg') ? [p] : [];
  });

const tokensOf = (r: ILexingResult): unknown[] =>
  r.tokens.map((tok) => [tok.tokenType.name, tok.image, tok.startOffset, tok.startLine, tok.startColumn, tok.endLine, tok.endColumn]);

describe('lexer hints', () => {
  it('some tokens carry hints, and chevrotain finds the same first characters and line breaks for them', () => {
    expect(allTokens.filter((tok) => tok.START_CHARS_HINT !== undefined).length).toBeGreaterThan(50);
    expect(analysisOf(hinted)).toEqual(analysisOf(analysed));
  });

  it('both lexers cut every program and golden input alike, broken input included', () => {
    const root = join(import.meta.dirname, '..', '..');
    const texts = [...programs(join(root, 'programs')), ...programs(join(root, 'test', 'dsl', 'golden'))].map((f) => readFileSync(f, 'utf8'));
    texts.push('"unterminated\n§ $ 1e 2.5e-3 .5 a_b\r\n\tsteps_ step3 # c\n"a\\"b"');
    expect(texts.length).toBeGreaterThan(100);
    for (const text of texts) {
      const a = hinted.tokenize(text);
      const b = analysed.tokenize(text);
      expect(tokensOf(a)).toEqual(tokensOf(b));
      expect(a.errors).toEqual(b.errors);
    }
  });
});
