import type { Span } from './span.js';
import { textOrder } from './text-order.js';

export type Severity = 'error' | 'warning' | 'note';

/** A secondary location that explains a diagnostic ("first declared here"). */
export interface RelatedInfo {
  readonly span: Span;
  readonly message: string;
}

/**
 * Every stage reports problems as values of this type, never by throwing.
 * `code` is stable (e.g. "E0101") so that tests and tools can match on it
 * without depending on the wording of `message`.
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
  readonly related?: readonly RelatedInfo[];
}

export const error = (code: string, message: string, span: Span, hint?: string): Diagnostic =>
  hint === undefined ? { severity: 'error', code, message, span } : { severity: 'error', code, message, span, hint };

export const warning = (code: string, message: string, span: Span, hint?: string): Diagnostic =>
  hint === undefined
    ? { severity: 'warning', code, message, span }
    : { severity: 'warning', code, message, span, hint };

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

/** Orders diagnostics by file, then position, so output is stable whatever order stages found them in. */
export const sortDiagnostics = (ds: readonly Diagnostic[]): Diagnostic[] =>
  [...ds].sort(
    (a, b) =>
      textOrder(a.span.file, b.span.file) ||
      a.span.start.offset - b.span.start.offset ||
      textOrder(a.code, b.code),
  );
