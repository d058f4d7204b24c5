/**
 * Tokens of `.xreg` (docs/grammar.md, "Lexical") and a lexer that never throws: every lexical
 * problem becomes a Diagnostic, and a best-effort token stream is still returned so that the
 * parser can report the syntax errors after it too.
 */
import { createToken, createTokenInstance, Lexer, type IToken, type TokenType } from 'chevrotain';
import { error, type Diagnostic } from './diagnostic.js';
import type { Position, Span } from './span.js';

/**
 * Every regular-expression token states the characters it can start with (`start_chars_hint`) and
 * whether it can span lines (`line_breaks`). Otherwise chevrotain finds both out by parsing each
 * pattern while it builds the lexer, which was about a tenth of `xreg check` of a small program
 * (bench/README.md, issue 10). test/dsl/lexer-hints.test.ts checks that they are what chevrotain's
 * own analysis finds.
 */
const charRange = (from: string, to: string): string[] =>
  Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, i) => String.fromCharCode(from.charCodeAt(0) + i));
const digits = charRange('0', '9');
const nameStart = [...charRange('A', 'Z'), ...charRange('a', 'z'), '_'];

/** Every token but EOF belongs to this category, so the parser can skip "anything" while recovering. */
export const AnyToken = createToken({ name: 'AnyToken', pattern: Lexer.NA });

/** Identifiers and keywords: argument names (`seed: 1`) and member names may be spelled like keywords. */
export const NameLike = createToken({ name: 'NameLike', pattern: Lexer.NA, label: 'a name' });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true, start_chars_hint: [' ', '\t', '\r', '\n', '\f', '\v'] });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: Lexer.SKIPPED, line_breaks: false, start_chars_hint: ['#'] });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  line_breaks: false,
  start_chars_hint: nameStart,
  label: 'a name',
  categories: [AnyToken, NameLike],
});

const keywordTokens: TokenType[] = [];
const keyword = (word: string): TokenType => {
  const tok = createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(`${word}\\b`),
    longer_alt: Identifier,
    line_breaks: false,
    start_chars_hint: [word.charAt(0)],
    label: `'${word}'`,
    categories: [AnyToken, NameLike],
  });
  keywordTokens.push(tok);
  return tok;
};

export const Import = keyword('import');
export const Plugin = keyword('plugin');
export const As = keyword('as');
export const Let = keyword('let');
export const Seed = keyword('seed');
export const Data = keyword('data');
export const Split = keyword('split');
export const Grow = keyword('grow');
export const Param = keyword('param');
export const Hyper = keyword('hyper');
export const On = keyword('on');
export const Sphere = keyword('sphere');
export const Frozen = keyword('frozen');
export const Fn = keyword('fn');
export const Layer = keyword('layer');
export const Model = keyword('model');
export const Loss = keyword('loss');
export const Metric = keyword('metric');
export const Update = keyword('update');
export const By = keyword('by');
export const Every = keyword('every');
export const From = keyword('from');
export const Until = keyword('until');
export const Batch = keyword('batch');
export const Along = keyword('along');
export const Orthogonal = keyword('orthogonal');
export const To = keyword('to');
export const Allow = keyword('allow');
export const Through = keyword('through');
export const Freeze = keyword('freeze');
export const Partition = keyword('partition');
export const Run = keyword('run');
export const Report = keyword('report');
export const Figure = keyword('figure');
export const Phase = keyword('phase');
export const For = keyword('for');
export const Then = keyword('then');
export const Sweep = keyword('sweep');
export const In = keyword('in');
export const Select = keyword('select');
export const Lowest = keyword('lowest');
export const Highest = keyword('highest');
export const Ensemble = keyword('ensemble');
export const Population = keyword('population');
export const Exploit = keyword('exploit');
export const Explore = keyword('explore');
export const Over = keyword('over');
export const Mean = keyword('mean');
export const Deterministic = keyword('deterministic');
export const True = keyword('true');
export const False = keyword('false');
// `steps` before `step` is unnecessary with the \b in the pattern, but keeps intent obvious.
export const Steps = keyword('steps');
export const Step = keyword('step');
export const Epochs = keyword('epochs');
export const Epoch = keyword('epoch');

export const NumberTok = createToken({
  name: 'Number',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  line_breaks: false,
  start_chars_hint: [...digits, '.'],
  label: 'a number',
  categories: [AnyToken],
});
export const StringTok = createToken({
  name: 'String',
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  line_breaks: false,
  start_chars_hint: ['"'],
  label: 'a string',
  categories: [AnyToken],
});
/** Matched only when no closing quote follows on the line; reported, then parsed as a string. */
const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\.)*\\?/, line_breaks: false, start_chars_hint: ['"'] });

const punct = (name: string, pattern: string | RegExp, label: string): TokenType =>
  createToken({ name, pattern, label, categories: [AnyToken] });

export const PipeOp = punct('PipeOp', '|>', "'|>'");
export const LParen = punct('LParen', '(', "'('");
export const RParen = punct('RParen', ')', "')'");
export const LBracket = punct('LBracket', '[', "'['");
export const RBracket = punct('RBracket', ']', "']'");
export const LBrace = punct('LBrace', '{', "'{'");
export const RBrace = punct('RBrace', '}', "'}'");
export const Comma = punct('Comma', ',', "','");
export const Colon = punct('Colon', ':', "':'");
export const Equals = punct('Equals', '=', "'='");
export const Tilde = punct('Tilde', '~', "'~'");
export const Dot = punct('Dot', '.', "'.'");
export const Plus = punct('Plus', '+', "'+'");
export const Minus = punct('Minus', '-', "'-'");
export const Star = punct('Star', '*', "'*'");
export const Slash = punct('Slash', '/', "'/'");
export const At = punct('At', '@', "'@'");
export const Caret = punct('Caret', '^', "'^'");

export const keywords: readonly TokenType[] = keywordTokens;
export const keywordNames: readonly string[] = keywordTokens.map((t) => t.name.slice(3));

/** Tokens in the order the parser needs to know them (NumberTok before Dot so `.5` is a number). */
export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  AnyToken,
  NameLike,
  ...keywordTokens,
  Identifier,
  NumberTok,
  StringTok,
  UnterminatedString,
  PipeOp,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equals,
  Tilde,
  Dot,
  Plus,
  Minus,
  Star,
  Slash,
  At,
  Caret,
];

/**
 * `validate` runs chevrotain's token-pattern validations, a third of `xreg check`'s start-up; the
 * token set is fixed, so they run in the tests only.
 */
export const makeLexer = (opts: { readonly validate?: boolean } = {}): Lexer =>
  new Lexer([...allTokens], {
    positionTracking: 'full',
    ensureOptimizations: false,
    skipValidations: opts.validate !== true,
  });

const xregLexer = makeLexer();

export interface LexResult {
  readonly tokens: readonly IToken[];
  readonly diagnostics: readonly Diagnostic[];
}

export const tokenStart = (tok: IToken): Position => ({
  line: tok.startLine ?? 1,
  column: tok.startColumn ?? 1,
  offset: tok.startOffset,
});

/** Just after the token's last character. */
export const tokenEnd = (tok: IToken): Position => ({
  line: tok.endLine ?? tok.startLine ?? 1,
  column: (tok.endColumn ?? tok.startColumn ?? 0) + 1,
  offset: (tok.endOffset ?? tok.startOffset) + 1,
});

export const tokenSpan = (tok: IToken, file: string): Span => ({ file, start: tokenStart(tok), end: tokenEnd(tok) });

const pointSpan = (file: string, line: number, column: number, offset: number, length: number): Span => ({
  file,
  start: { line, column, offset },
  end: { line, column: column + length, offset: offset + length },
});

const escapes: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n' };

/** The value of a string literal; unknown escapes are reported and kept literally. */
export const unescapeString = (tok: IToken, file: string): { value: string; diagnostics: Diagnostic[] } => {
  const raw = tok.image;
  const closed = raw.length >= 2 && raw.endsWith('"') && !raw.endsWith('\\"');
  const body = raw.slice(1, closed ? -1 : raw.length);
  const diagnostics: Diagnostic[] = [];
  let value = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) break;
    const mapped = escapes[next];
    if (mapped === undefined) {
      diagnostics.push(
        error(
          'E0003',
          `unknown escape '\\${next}' in a string`,
          pointSpan(file, tok.startLine ?? 1, (tok.startColumn ?? 1) + 1 + i, tok.startOffset + 1 + i, 2),
          `the escapes are \\", \\\\ and \\n`,
        ),
      );
      value += next;
    } else {
      value += mapped;
    }
    i++;
  }
  return { value, diagnostics };
};

export const lex = (text: string, file: string): LexResult => {
  const result = xregLexer.tokenize(text);
  const diagnostics: Diagnostic[] = result.errors.map((e) => {
    const ch = text.slice(e.offset, e.offset + e.length);
    const shown = ch.length > 20 ? `${ch.slice(0, 20)}…` : ch;
    return error(
      'E0001',
      e.length === 1 ? `unexpected character '${shown}'` : `unexpected characters '${shown}'`,
      pointSpan(file, e.line ?? 1, e.column ?? 1, e.offset, e.length),
    );
  });
  const tokens = result.tokens.map((tok) => {
    if (tok.tokenType !== UnterminatedString) return tok;
    diagnostics.push(
      error('E0002', 'unterminated string', tokenSpan(tok, file), 'add a closing \'"\' before the end of the line'),
    );
    return createTokenInstance(
      StringTok,
      tok.image,
      tok.startOffset,
      tok.endOffset ?? tok.startOffset,
      tok.startLine ?? 1,
      tok.endLine ?? 1,
      tok.startColumn ?? 1,
      tok.endColumn ?? 1,
    );
  });
  for (const tok of tokens) {
    if (tok.tokenType === StringTok) diagnostics.push(...unescapeString(tok, file).diagnostics);
  }
  return { tokens, diagnostics };
};
