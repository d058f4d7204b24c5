/**
 * The parser builds each lookahead function the first time it reaches the decision
 * (dsl/lazy-lookahead.ts) instead of all of them up front: it must parse, recover and report exactly
 * as chevrotain's eager strategy does, on every program we have and on broken input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToken, EmbeddedActionsParser, Lexer, LLkLookaheadStrategy, type ILookaheadStrategy } from 'chevrotain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lazyLookahead } from '../../dsl/lazy-lookahead.js';
import { lex } from '../../dsl/lexer.js';
import { parseProgram } from '../../dsl/parse.js';
import { XregParser } from '../../dsl/parser.js';
import { xregBlocks } from '../helpers/xreg-blocks.js';

const root = join(import.meta.dirname, '..', '..');

const filesUnder = (dir: string, ext: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, ext) : e.name.endsWith(ext) ? [p] : [];
  });

const corpus: readonly (readonly [string, string])[] = [
  ...['programs', 'test/dsl/golden', 'test/dsl/fixtures', 'test/cli/golden'].flatMap((d) =>
    filesUnder(join(root, d), '.xreg').map((f) => [f.slice(root.length + 1), readFileSync(f, 'utf8')] as const),
  ),
  ...filesUnder(join(root, 'docs'), '.md').flatMap((f) =>
    xregBlocks(readFileSync(f, 'utf8')).map((b) => [`${f.slice(root.length + 1)}:${b.line}`, b.text] as const),
  ),
];

// One parser of each kind for the whole file: the lazy one meets its decisions in corpus order.
const lazy = new XregParser();
const eager = new XregParser({ eagerLookahead: true });
const same = (text: string, file: string): void => {
  expect(parseProgram(text, file, lazy)).toEqual(parseProgram(text, file, eager));
};

describe('lazy lookahead', () => {
  it('parses every program, golden input and docs example as the eager parser does', () => {
    expect(corpus.length).toBeGreaterThan(150);
    // Inputs with syntax errors are part of the corpus: the golden ones exercise error recovery.
    expect(corpus.filter(([, text]) => parseProgram(text, 'x.xreg', eager).diagnostics.length > 0).length).toBeGreaterThan(40);
    for (const [file, text] of corpus) same(text, file);
  });

  it('recovers from mutated programs as the eager parser does', () => {
    const tokens = corpus.flatMap(([f, text]) => (f.startsWith('programs/') ? lex(text, f).tokens.map((t) => t.image) : []));
    const vocabulary = [...new Set([...tokens, '"str', '$', '\n', '}', '{', ')', '(', ']', '[', '|>', '1e', '.5'])];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 80 }), fc.boolean(), (toks, newlines) => {
        same(toks.join(newlines ? '\n' : ' '), 'soup.xreg');
      }),
      { numRuns: 300 },
    );
  });
});

// A grammar small enough to count its decisions: one OR, one OPTION, one MANY.
const A = createToken({ name: 'A', pattern: /a/ });
const B = createToken({ name: 'B', pattern: /b/ });
const C = createToken({ name: 'C', pattern: /c/ });
const WS = createToken({ name: 'WS', pattern: / +/, group: Lexer.SKIPPED });
const tiny = new Lexer([WS, A, B, C]);

class Tiny extends EmbeddedActionsParser {
  constructor(strategy: ILookaheadStrategy) {
    super([WS, A, B, C], { lookaheadStrategy: strategy });
    this.performSelfAnalysis();
  }
  readonly top = this.RULE('top', (): string => {
    let out = '';
    this.MANY(() => {
      out += this.OR([{ ALT: () => this.CONSUME(A).image }, { ALT: () => this.CONSUME(B).image }]);
    });
    this.OPTION(() => {
      out += this.CONSUME(C).image;
    });
    return out;
  });
}

/** chevrotain's strategy, counting the lookahead functions it is asked to build. */
const counting = (): { strategy: ILookaheadStrategy; built: () => number } => {
  const strategy = new LLkLookaheadStrategy({ maxLookahead: 2 });
  let n = 0;
  const alt = strategy.buildLookaheadForAlternation.bind(strategy);
  const opt = strategy.buildLookaheadForOptional.bind(strategy);
  strategy.buildLookaheadForAlternation = (o) => (n++, alt(o));
  strategy.buildLookaheadForOptional = (o) => (n++, opt(o));
  return { strategy, built: () => n };
};

describe('lazyLookahead', () => {
  it('builds a decision’s lookahead when the parser first reaches it, once', () => {
    const inner = counting();
    const parser = new Tiny(lazyLookahead(2, inner.strategy));
    expect(inner.built()).toBe(0);
    parser.input = tiny.tokenize('a b a').tokens;
    expect(parser.top()).toBe('aba');
    // MANY and OR reached; OPTION reached too (to see that no `c` follows).
    expect(inner.built()).toBe(3);
    parser.input = tiny.tokenize('b c').tokens;
    expect(parser.top()).toBe('bc');
    expect(inner.built()).toBe(3);
  });

  it('builds all of them up front without it (what it saves)', () => {
    const inner = counting();
    new Tiny(inner.strategy);
    expect(inner.built()).toBe(3);
  });
});
