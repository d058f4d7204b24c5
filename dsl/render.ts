/** Diagnostics for people (rustc-style, with the offending text underlined) and for tools (JSON). */
import type { Diagnostic, Severity } from './diagnostic.js';

export interface RenderOptions {
  readonly color?: boolean;
}

const ansi = {
  red: '\u001b[1;31m',
  yellow: '\u001b[1;33m',
  cyan: '\u001b[1;36m',
  blue: '\u001b[1;34m',
  bold: '\u001b[1m',
  reset: '\u001b[0m',
};

const severityColor: Record<Severity, string> = { error: ansi.red, warning: ansi.yellow, note: ansi.cyan };

const lineAt = (source: string, line: number): string | undefined => source.split(/\r\n|\r|\n/)[line - 1];

/** Tabs are shown as single spaces so that the carets stay under the text they mark. */
const untab = (s: string): string => s.replace(/\t/g, ' ');

export const renderDiagnostic = (d: Diagnostic, sourceText: string, opts: RenderOptions = {}): string => {
  const c = (code: string, s: string): string => (opts.color === true ? `${code}${s}${ansi.reset}` : s);
  const { start, end } = d.span;
  const text = lineAt(sourceText, start.line);
  const gutter = ' '.repeat(String(start.line).length);
  const out: string[] = [];
  out.push(`${c(severityColor[d.severity], `${d.severity}[${d.code}]`)}${c(ansi.bold, `: ${d.message}`)}`);
  out.push(`${gutter}${c(ansi.blue, '-->')} ${d.span.file}:${start.line}:${start.column}`);
  if (text !== undefined) {
    const shown = untab(text);
    // A span that runs over several lines is underlined to the end of its first line.
    const endCol = end.line === start.line ? end.column : shown.length + 1;
    const width = Math.max(1, endCol - start.column);
    out.push(`${gutter} ${c(ansi.blue, '|')}`);
    out.push(`${c(ansi.blue, `${start.line} |`)} ${shown}`);
    out.push(
      `${gutter} ${c(ansi.blue, '|')} ${' '.repeat(Math.max(0, start.column - 1))}${c(severityColor[d.severity], '^'.repeat(width))}`,
    );
  }
  for (const r of d.related ?? []) {
    out.push(`${gutter} ${c(ansi.blue, '=')} note: ${r.message} (${r.span.file}:${r.span.start.line}:${r.span.start.column})`);
  }
  if (d.hint !== undefined) out.push(`${gutter} ${c(ansi.blue, '=')} hint: ${d.hint}`);
  return out.join('\n');
};

export interface DiagnosticJson {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly hint: string | null;
  /** The diagnostic's notes ("first declared here"), each at its own place. */
  readonly related: readonly { readonly message: string; readonly file: string; readonly line: number; readonly column: number; readonly endLine: number; readonly endColumn: number }[];
}

export const diagnosticsToJson = (ds: readonly Diagnostic[]): DiagnosticJson[] =>
  ds.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.span.file,
    line: d.span.start.line,
    column: d.span.start.column,
    endLine: d.span.end.line,
    endColumn: d.span.end.column,
    hint: d.hint ?? null,
    related: (d.related ?? []).map((r) => ({
      message: r.message,
      file: r.span.file,
      line: r.span.start.line,
      column: r.span.start.column,
      endLine: r.span.end.line,
      endColumn: r.span.end.column,
    })),
  }));
