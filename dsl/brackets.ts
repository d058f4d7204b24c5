/**
 * Unbalanced brackets confuse every later error message, so they get their own analysis: an opener
 * that is never closed, or a closer with no opener, is attached as a hint to the syntax error it
 * causes (or reported on its own when the parser happened to recover silently).
 */
import type { IToken } from 'chevrotain';
import { error, type Diagnostic } from './diagnostic.js';
import { LBrace, LBracket, LParen, RBrace, RBracket, RParen, tokenSpan } from './lexer.js';
import { formatSpan } from './span.js';

const pairs = new Map([
  [RParen, LParen],
  [RBracket, LBracket],
  [RBrace, LBrace],
]);
const openers = new Set([LParen, LBracket, LBrace]);

export interface BracketProblems {
  readonly unclosed: readonly IToken[];
  readonly unmatched: readonly IToken[];
}

export const findBracketProblems = (tokens: readonly IToken[]): BracketProblems => {
  const stack: IToken[] = [];
  const unclosed: IToken[] = [];
  const unmatched: IToken[] = [];
  for (const tok of tokens) {
    if (openers.has(tok.tokenType)) {
      stack.push(tok);
      continue;
    }
    const opener = pairs.get(tok.tokenType);
    if (opener === undefined) continue;
    if (!stack.some((t) => t.tokenType === opener)) {
      unmatched.push(tok);
      continue;
    }
    // `( [ )`: the `[` is the one left open; unwind to the matching opener.
    for (let top = stack.pop(); top !== undefined && top.tokenType !== opener; top = stack.pop()) unclosed.push(top);
  }
  return { unclosed: [...unclosed, ...stack].sort((a, b) => a.startOffset - b.startOffset), unmatched };
};

const closerOf: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

export const bracketDiagnostics = (
  tokens: readonly IToken[],
  file: string,
  syntax: readonly Diagnostic[],
): Diagnostic[] => {
  const { unclosed, unmatched } = findBracketProblems(tokens);
  const out = [...syntax];
  const attach = (idx: number, hint: string): void => {
    const d = out[idx];
    if (d === undefined) return;
    out[idx] = { ...d, hint: d.hint === undefined ? hint : `${hint}; ${d.hint}` };
  };
  for (const tok of unclosed) {
    const span = tokenSpan(tok, file);
    const hint = `the '${tok.image}' at ${formatSpan(span)} is never closed with '${closerOf[tok.image] ?? ''}'`;
    const idx = out.findIndex((d) => d.span.start.offset >= tok.startOffset && d.severity === 'error');
    if (idx >= 0) attach(idx, hint);
    else out.push(error('E0107', `unclosed '${tok.image}'`, span, hint));
  }
  for (const tok of unmatched) {
    const span = tokenSpan(tok, file);
    const hint = `this '${tok.image}' has no matching opening bracket`;
    const idx = out.findIndex((d) => d.span.start.offset === tok.startOffset);
    const d = out[idx];
    // The stray bracket explains the error better than the generic hint of "left-over text".
    if (d !== undefined) out[idx] = { ...d, hint };
    else out.push(error('E0107', `unmatched '${tok.image}'`, span, hint));
  }
  return out;
};
