/**
 * Limits on how deep a program may nest, so that no stage of the compiler (parser, resolver,
 * type checker, lowering, autodiff, all recursive over the tree) can run out of stack: a program
 * past them gets one located error instead of `Maximum call stack size exceeded`.
 *
 * - brackets open at once, and signs in a row: at most 64 (the parser recurses several frames
 *   per bracket or sign);
 * - an expression's depth: at most 256, where every operator, call, argument and pipeline stage
 *   adds one (`a + b + c` is two deep, `x |> f |> g` two as well).
 *
 * Real programs stay far below both (the deepest in programs/ is measured in test/faults).
 */
import type { IToken } from 'chevrotain';
import type { Decl, Program } from './ast.js';
import { error, type Diagnostic } from './diagnostic.js';
import { Caret, Dot, Identifier, LBrace, LBracket, LParen, Minus, NumberTok, Plus, RBrace, RBracket, RParen, tokenSpan } from './lexer.js';
import type { Span } from './span.js';

export const MAX_BRACKET_DEPTH = 64;
export const MAX_EXPR_DEPTH = 256;

export const TOO_DEEP = 'E0700';

const openers = new Set([LParen, LBracket, LBrace]);
const closers = new Set([RParen, RBracket, RBrace]);

const signs = new Set([Minus, Plus]);
/** Tokens that may stand between two `^` of one chain (with brackets, which count on their own). */
const powerOperand = new Set([Identifier, NumberTok, Dot, LParen, RParen]);

/**
 * The first bracket that opens more than MAX_BRACKET_DEPTH at once, or the first sign of a run of
 * more than that many (`- - - x` nests like brackets in the parser), as an error before parsing.
 */
export const bracketDepthError = (tokens: readonly IToken[], file: string): Diagnostic | undefined => {
  let depth = 0;
  let run = 0;
  // `a ^ b ^ c` groups to the right: the parser nests one level per `^` of a chain.
  let powers = 0;
  for (const t of tokens) {
    run = signs.has(t.tokenType) ? run + 1 : 0;
    if (run > MAX_BRACKET_DEPTH) {
      return error(TOO_DEEP, `nesting too deep: more than ${MAX_BRACKET_DEPTH} signs in a row`, tokenSpan(t, file), `xreg accepts at most ${MAX_BRACKET_DEPTH}`);
    }
    powers = t.tokenType === Caret ? powers + 1 : powerOperand.has(t.tokenType) ? powers : 0;
    if (powers > MAX_BRACKET_DEPTH) {
      return error(TOO_DEEP, `nesting too deep: a chain of more than ${MAX_BRACKET_DEPTH} powers (^ groups to the right)`, tokenSpan(t, file), `xreg accepts at most ${MAX_BRACKET_DEPTH}`);
    }
    if (openers.has(t.tokenType)) {
      depth++;
      if (depth > MAX_BRACKET_DEPTH) {
        return error(TOO_DEEP, `nesting too deep: more than ${MAX_BRACKET_DEPTH} brackets open at once`, tokenSpan(t, file), `xreg accepts at most ${MAX_BRACKET_DEPTH}; name a part with let, fn or loss and use the name`);
      }
    } else if (closers.has(t.tokenType)) depth = Math.max(0, depth - 1);
  }
  return undefined;
};

export interface Spanned {
  readonly kind: string;
  readonly span: Span;
}

export const isNode = (u: unknown): u is Spanned => typeof u === 'object' && u !== null && 'kind' in u && typeof u.kind === 'string' && 'span' in u;

/** The children of an AST node with their extra depth: pipeline stages count one each, in order. */
export const childrenOf = (n: Spanned): [Spanned, number][] => {
  const out: [Spanned, number][] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'span') continue;
    if (Array.isArray(v)) {
      v.forEach((c: unknown, i) => {
        if (isNode(c)) out.push([c, k === 'stages' ? i + 1 : 1]);
        // Call arguments wrap their value: `{ name?, value }` without a kind of their own.
        else if (typeof c === 'object' && c !== null && 'value' in c && isNode(c.value)) out.push([c.value, 1]);
      });
    } else if (isNode(v)) out.push([v, 1]);
  }
  return out;
};

/** The first node past MAX_EXPR_DEPTH below `root` (an explicit stack: this must not recurse). */
const tooDeep = (root: Spanned): Spanned | undefined => {
  const stack: [Spanned, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [n, d] = stack.pop() as [Spanned, number];
    if (d > MAX_EXPR_DEPTH) return n;
    for (const [c, extra] of childrenOf(n)) stack.push([c, d + extra]);
  }
  return undefined;
};

/** Drops every declaration nested past the limit, with an error at the place it crosses it. */
export const limitDepth = (program: Program): { readonly program: Program; readonly diagnostics: Diagnostic[] } => {
  const diagnostics: Diagnostic[] = [];
  const kept: Decl[] = [];
  for (const d of program.decls) {
    const deep = tooDeep(d);
    if (deep === undefined) kept.push(d);
    else {
      diagnostics.push(
        error(TOO_DEEP, `nesting too deep: this expression is more than ${MAX_EXPR_DEPTH} levels deep`, deep.span, `xreg accepts at most ${MAX_EXPR_DEPTH} (each operator, call and pipeline stage is a level); split it into named parts with let, fn or loss`),
      );
    }
  }
  return { program: diagnostics.length === 0 ? program : { ...program, decls: kept }, diagnostics };
};
