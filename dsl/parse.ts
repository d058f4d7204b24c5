/**
 * The public entry of the front end: text in, a (possibly partial) Program and every lexical and
 * syntax diagnostic out. Never throws for anything a user can write.
 */
import { EOF, type IRecognitionException, type IToken } from 'chevrotain';
import type { Program } from './ast.js';
import { error, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { lex, tokenSpan } from './lexer.js';
import { XregParser } from './parser.js';
import { bracketDiagnostics } from './brackets.js';
import { bracketDepthError, limitDepth, TOO_DEEP } from './limits.js';
import type { Span } from './span.js';

/** One parser instance: chevrotain's grammar analysis is costly and the parser is reusable. */
let shared: XregParser | undefined;
const parser = (): XregParser => (shared ??= new XregParser());

const shownToken = (tok: IToken): string => {
  if (tok.tokenType === EOF) return 'the end of the file';
  const img = tok.image.length > 24 ? `${tok.image.slice(0, 24)}…` : tok.image;
  return `'${img}'`;
};

const realToken = (tok: IToken | undefined): tok is IToken =>
  tok !== undefined && !Number.isNaN(tok.startOffset) && tok.tokenType !== EOF;

const pointAfter = (tok: IToken, file: string): Span => {
  const s = tokenSpan(tok, file);
  return { file, start: s.end, end: s.end };
};

const startOfFile = (file: string): Span => {
  const p = { line: 1, column: 1, offset: 0 };
  return { file, start: p, end: p };
};

/**
 * Where to point at a syntax error: at the unexpected token when it is on the same line as what
 * came before, otherwise just after the previous token (where the missing text belongs).
 */
const errorSpan = (found: IToken, prev: IToken | undefined, file: string): Span => {
  if (realToken(prev)) {
    if (!realToken(found) || (found.startLine ?? 0) > (prev.endLine ?? 0)) return pointAfter(prev, file);
  }
  return realToken(found) ? tokenSpan(found, file) : startOfFile(file);
};

/** Decodes the `CODE|message|hint` templates of parser.ts into a Diagnostic. */
export const syntaxDiagnostic = (e: IRecognitionException, file: string): Diagnostic => {
  const found = e.token;
  const prev = (e as { previousToken?: IToken }).previousToken;
  const [code = 'E0100', template = 'syntax error', hint] = e.message.split('|');
  const prevText = realToken(prev) ? prev.image : 'the start of the file';
  const message = `${template.replaceAll('{prev}', prevText)}, found ${shownToken(found)}`;
  return error(code, message, errorSpan(found, prev, file), hint);
};

/** Several errors at one token are one problem seen by several rules; keep the first. */
const dedupe = (ds: readonly Diagnostic[]): Diagnostic[] => {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.span.start.offset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/** `using`: another parser than the shared one (the tests compare lookahead strategies). */
export const parseProgram = (
  text: string,
  file: string,
  using?: XregParser,
): { readonly program: Program; readonly diagnostics: readonly Diagnostic[] } => {
  const lexed = lex(text, file);
  // Too many open brackets would overflow the parser's stack: refused before it runs.
  const deepBrackets = bracketDepthError(lexed.tokens, file);
  if (deepBrackets !== undefined) {
    const whole = { file, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
    return { program: { kind: 'Program', file, decls: [], span: whole }, diagnostics: sortDiagnostics([...lexed.diagnostics, deepBrackets]) };
  }
  const p = using ?? parser();
  p.load(lexed.tokens, file);
  let parsed: Program;
  try {
    parsed = p.program();
  } catch (e) {
    // A shape of nesting the token checks above do not foresee: still one error, never a crash.
    if (!(e instanceof RangeError)) throw e;
    const at = lexed.tokens[0];
    const span = at !== undefined ? tokenSpan(at, file) : startOfFile(file);
    const whole = { file, start: span.start, end: span.start };
    return {
      program: { kind: 'Program', file, decls: [], span: whole },
      diagnostics: sortDiagnostics([...lexed.diagnostics, error(TOO_DEEP, 'nesting too deep: the program nests deeper than the parser can follow', span, 'split deep expressions into named parts with let, fn or loss')]),
    };
  }
  // Every later stage recurses over the tree: a declaration nested too deep is dropped, located.
  const { program, diagnostics: depth } = limitDepth(parsed);
  const syntax = dedupe(sortDiagnostics([...p.errors.map((e) => syntaxDiagnostic(e, file)), ...p.actionDiagnostics]));
  // After a lexical error the parser sees a damaged line; its complaints later on that line are echoes.
  const damaged = lexed.diagnostics.filter((d) => d.code === 'E0001' || d.code === 'E0002');
  const isEcho = (line: number, offset: number): boolean =>
    damaged.some((d) => d.span.start.line === line && d.span.start.offset <= offset);
  const withBrackets = bracketDiagnostics(
    // A bracket on a damaged line may be unbalanced only because of the damage.
    lexed.tokens.filter((t) => !damaged.some((d) => d.span.start.line === t.startLine)),
    file,
    syntax.filter((d) => !isEcho(d.span.start.line, d.span.start.offset)),
  );
  return { program, diagnostics: sortDiagnostics([...lexed.diagnostics, ...withBrackets, ...depth]) };
};
