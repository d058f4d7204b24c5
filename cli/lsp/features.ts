/**
 * Hover, go-to-definition and completion, as pure functions of an `Analysis` and a position.
 * Names are found by the word under the cursor (dots included, so `blocks.noisy_block` and
 * `net.dense1.w` are one name); what a name means comes from the compiler's own results: the IR's
 * parameters (shape, role, partition), the registry (signatures, the plugin an entry came from) and
 * the declarations of the program and its imports.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import lsp from 'vscode-languageserver';
import type { CompletionItem, Diagnostic as LspDiagnostic, Hover, Location, Position as LspPosition, Range } from 'vscode-languageserver';
import type { IRParam } from '../../compiler/ir.js';
import type { PlacedDecl } from '../../compiler/resolve/imports.js';
import type { Decl } from '../../dsl/ast.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import { keywordNames } from '../../dsl/lexer.js';
import type { Span } from '../../dsl/span.js';
import type { Registry } from '../../stdlib/registry.js';
import type { ArgSpec, ConstValue, LibraryEntry } from '../../stdlib/types.js';
import type { Analysis } from './analyze.js';

export const uriOf = (file: string): string => pathToFileURL(path.resolve(file)).href;

export const rangeOf = (s: Span): Range => ({
  start: { line: s.start.line - 1, character: s.start.column - 1 },
  end: { line: s.end.line - 1, character: s.end.column - 1 },
});

// The package is CommonJS: its enums come through the default export.
const { CompletionItemKind, DiagnosticSeverity } = lsp;

const severity = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, note: DiagnosticSeverity.Information } as const;

/** A compiler diagnostic as the editor shows it: the hint joins the message, related notes link to their places. */
export const toLsp = (d: Diagnostic): LspDiagnostic => ({
  range: rangeOf(d.span),
  severity: severity[d.severity],
  code: d.code,
  source: 'xreg',
  message: d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`,
  ...(d.related !== undefined && d.related.length > 0
    ? { relatedInformation: d.related.map((r) => ({ location: { uri: uriOf(r.span.file), range: rangeOf(r.span) }, message: r.message })) }
    : {}),
});

/** The offset of an LSP position in `text` (lines split as the lexer does). */
export const offsetAt = (text: string, p: LspPosition): number => {
  let offset = 0;
  for (let line = 0; line < p.line; line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + p.character);
};

/** The dotted name under the cursor, or undefined off a name. */
export const wordAt = (text: string, offset: number): string | undefined => {
  const isName = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.]/.test(c);
  let a = offset;
  let b = offset;
  while (a > 0 && isName(text[a - 1])) a--;
  while (b < text.length && isName(text[b])) b++;
  const w = text.slice(a, b).replace(/^\.+|\.+$/g, '');
  return /^[A-Za-z_]/.test(w) ? w : undefined;
};

const nameOf = (d: Decl): { readonly name: string; readonly span: Span } | undefined => {
  if (d.kind === 'Split') return { name: d.data.name, span: d.data.span };
  const n = (d as { readonly name?: unknown }).name;
  return typeof n === 'object' && n !== null && (n as { kind?: unknown }).kind === 'Identifier' ? (n as { name: string; span: Span }) : undefined;
};

/** The declaration a (possibly import-qualified) name refers to: `blocks.noisy_block` is `noisy_block` in the file imported as `blocks`. */
const declNamed = (decls: readonly PlacedDecl[], word: string): PlacedDecl | undefined => {
  const dot = word.lastIndexOf('.');
  const candidates = [{ ns: '', name: word }, ...(dot > 0 ? [{ ns: word.slice(0, dot), name: word.slice(dot + 1) }] : [])];
  for (const c of candidates) {
    const hit = decls.find((p) => p.ns === c.ns && p.decl.kind !== 'Split' && nameOf(p.decl)?.name === c.name);
    if (hit !== undefined) return hit;
  }
  return undefined;
};

const showValue = (v: ConstValue): string => (Array.isArray(v) ? `[${v.map(showValue).join(', ')}]` : typeof v === 'string' ? JSON.stringify(v) : String(v));
const showArg = (a: ArgSpec): string => (a.default === undefined ? `${a.name}: ${a.type}` : `${a.name}: ${showValue(a.default)}`);

/** An entry's signature as a program calls it. */
export const signature = (e: LibraryEntry): string => {
  switch (e.kind) {
    case 'fn':
      return `fn ${e.name}(${[...e.tensorArgs, ...e.options.map(showArg)].join(', ')})${e.differentiable ? '' : ' (not differentiable)'}`;
    case 'layer':
      return `layer ${e.name}(${e.args.map(showArg).join(', ')})${e.stochastic ? ' (stochastic)' : ''}`;
    case 'optimizer':
      return `optimizer ${e.name}(${e.options.map(showArg).join(', ')})`;
    case 'loader':
      return `data loader ${e.name}(${e.args.map(showArg).join(', ')})`;
    case 'transform':
      return `data transform ${e.name}(${e.args.map(showArg).join(', ')})`;
    case 'stateful':
      return `fn ${e.name}(x, ${e.options.map(showArg).join(', ')}) (keeps state across steps)`;
  }
};

const paramLine = (p: IRParam): string =>
  `\`${p.path}\`: ${p.shape.length === 0 ? 'Scalar' : `Tensor[${p.shape.join(', ')}]`} · role ${p.role} · partition ${p.partition}${p.onSphere ? ' · on sphere' : ''}${p.frozen ? ' · frozen' : ''}`;

const markdown = (value: string): Hover => ({ contents: { kind: 'markdown', value } });

const entryHover = (registry: Registry, e: LibraryEntry): Hover => {
  const origin = registry.origins?.get(e.name);
  return markdown(['```xreg', signature(e), '```', origin !== undefined ? `from the plugin ${origin}` : 'standard library'].join('\n'));
};

/** The line a declaration starts on, as written. */
const declText = (a: Analysis, span: Span): string => {
  const text = path.resolve(span.file) === path.resolve(a.file) ? a.text : undefined;
  return text === undefined ? '' : (text.split('\n')[span.start.line - 1] ?? '').trim();
};

export const hover = (a: Analysis, pos: LspPosition): Hover | null => {
  const word = wordAt(a.text, offsetAt(a.text, pos));
  if (word === undefined) return null;
  const params = a.ir?.params ?? [];
  const exact = params.find((p) => p.path === word);
  if (exact !== undefined) return markdown(`param ${paramLine(exact)}`);
  const owned = params.filter((p) => p.path.startsWith(`${word}.`));
  if (owned.length > 0) return markdown([`model \`${word}\`: ${owned.length} parameter${owned.length === 1 ? '' : 's'}`, '', ...owned.map((p) => `- ${paramLine(p)}`)].join('\n'));
  const entry = a.registry.entries.get(word);
  const decl = declNamed(a.decls, word);
  // A program's own declaration shadows nothing in the registry (names are unique), so either order is right.
  if (decl !== undefined) {
    const line = declText(a, decl.decl.span);
    return markdown(line === '' ? `${decl.decl.kind.toLowerCase()} \`${word}\` (${decl.decl.span.file}:${decl.decl.span.start.line})` : ['```xreg', line, '```'].join('\n'));
  }
  return entry !== undefined ? entryHover(a.registry, entry) : null;
};

export const definition = (a: Analysis, pos: LspPosition): Location | null => {
  const offset = offsetAt(a.text, pos);
  // On an import's path: the imported file.
  for (const d of a.program.decls) {
    if (d.kind === 'Import' && d.path.span.start.offset <= offset && offset <= d.path.span.end.offset) {
      const target = path.resolve(path.dirname(path.resolve(a.file)), d.path.value);
      return { uri: uriOf(target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    }
  }
  const word = wordAt(a.text, offset);
  if (word === undefined) return null;
  const decl = declNamed(a.decls, word);
  if (decl !== undefined) {
    const n = nameOf(decl.decl);
    return { uri: uriOf(decl.decl.span.file), range: rangeOf(n?.span ?? decl.decl.span) };
  }
  // A model parameter is defined by the layer call that created it.
  const param = a.ir?.params.find((p) => p.path === word);
  return param !== undefined ? { uri: uriOf(param.span.file), range: rangeOf(param.span) } : null;
};

const entryKind: Readonly<Record<LibraryEntry['kind'], lsp.CompletionItemKind>> = {
  fn: CompletionItemKind.Function,
  stateful: CompletionItemKind.Function,
  layer: CompletionItemKind.Class,
  optimizer: CompletionItemKind.Module,
  loader: CompletionItemKind.Constructor,
  transform: CompletionItemKind.Constructor,
};

/** Standard-library (and plugin) names with their signatures, the keywords, and the program's own names. */
export const completion = (a: Analysis): CompletionItem[] => [
  ...[...a.registry.entries.values()].map((e) => ({ label: e.name, kind: entryKind[e.kind], detail: signature(e) })),
  ...keywordNames.map((k) => ({ label: k, kind: CompletionItemKind.Keyword })),
  ...a.decls.flatMap((p) => {
    const n = nameOf(p.decl);
    return n === undefined || p.decl.kind === 'Split' ? [] : [{ label: p.ns === '' ? n.name : `${p.ns}.${n.name}`, kind: CompletionItemKind.Variable, detail: p.decl.kind.toLowerCase() }];
  }),
];
