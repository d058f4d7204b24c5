import { expect } from 'vitest';
import type { Decl, Expr, Program } from '../../dsl/ast.js';
import { parseProgram } from '../../dsl/parse.js';
import type { Span } from '../../dsl/span.js';

/** Parses a program that must be free of diagnostics. */
export const parseOk = (text: string): Program => {
  const r = parseProgram(text, 't.xreg');
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.program;
};

export const onlyDecl = (text: string): Decl => {
  const p = parseOk(text);
  expect(p.decls).toHaveLength(1);
  const d = p.decls[0];
  if (d === undefined) throw new Error('no declaration');
  return d;
};

/** The text a span covers, so that span tests read as source. */
export const textOf = (text: string, span: Span): string => text.slice(span.start.offset, span.end.offset);

/** A compact, span-free rendering of an expression that makes precedence visible. */
export const show = (e: Expr): string => {
  switch (e.kind) {
    case 'Number':
      return e.text;
    case 'String':
      return JSON.stringify(e.value);
    case 'Bool':
      return String(e.value);
    case 'Name':
      return e.name;
    case 'List':
      return `[${e.items.map(show).join(', ')}]`;
    case 'Call':
      return `${show(e.callee)}(${e.args.map((a) => (a.name ? `${a.name.name}: ${show(a.value)}` : show(a.value))).join(', ')})`;
    case 'Member':
      return `${show(e.object)}.${e.property.name}`;
    case 'Unary':
      return `(${e.op}${show(e.operand)})`;
    case 'Binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'Pipe':
      return `pipe[${e.stages.map(show).join(' | ')}]`;
    case 'Over':
      return `over(${show(e.body)}, ${e.split.name}${e.batch ? `, ${e.batch.text}` : ''})`;
    case 'Mean':
      return `mean[${show(e.samples)}](${show(e.body)})`;
    case 'Deterministic':
      return `det(${show(e.body)})`;
    case 'ErrorExpr':
      return '<error>';
  }
};
