/**
 * `xreg check`: the pure core, separate from commander so that tests (and other commands) can call it.
 * The compiler's checks plug in through `CheckOptions.semantics`; see `defaultSemantics`.
 */
import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type { Program } from '../dsl/ast.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../dsl/diagnostic.js';
import { parseProgram } from '../dsl/parse.js';
import { diagnosticsToJson, renderDiagnostic } from '../dsl/render.js';

/** The compiler stage: diagnostics about a program that parsed without syntax errors. */
export type SemanticCheck = (program: Program, text: string, file: string) => readonly Diagnostic[];

/** Where the compiler's `checkSemantics` is added (one line) once it exists. */
export const defaultSemantics: SemanticCheck | undefined = undefined;

export interface CheckOptions {
  readonly json?: boolean;
  readonly color?: boolean;
  readonly semantics?: SemanticCheck;
  readonly read?: (file: string) => Promise<E.Either<string, string>>;
}

export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** 0 all clean (warnings allowed), 1 some file has errors, 2 some file could not be read. */
  readonly exitCode: 0 | 1 | 2;
  /** What the command prints on stdout: rendered diagnostics and the summary, or the JSON array. */
  readonly stdout: string;
  /** Files that could not be read, and in --json mode the summary. */
  readonly stderr: string;
}

const readText = async (file: string): Promise<E.Either<string, string>> => {
  try {
    return E.right(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return E.left(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(e));
  }
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const summaryLine = (files: number, ds: readonly Diagnostic[], unreadable = 0): string => {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  const parts = [
    ...(unreadable > 0 ? [`${unreadable} unreadable`] : []),
    ...(errors > 0 ? [plural(errors, 'error')] : []),
    ...(warnings > 0 ? [plural(warnings, 'warning')] : []),
  ];
  return `checked ${plural(files, 'file')}: ${parts.length === 0 ? 'all clean' : parts.join(', ')}`;
};

interface FileOutcome {
  readonly file: string;
  readonly text?: string;
  readonly readError?: string;
  readonly diagnostics: readonly Diagnostic[];
}

const checkOne = async (file: string, opts: CheckOptions): Promise<FileOutcome> => {
  const text = await (opts.read ?? readText)(file);
  if (E.isLeft(text)) return { file, readError: text.left, diagnostics: [] };
  const parsed = parseProgram(text.right, file);
  const semantics = opts.semantics ?? defaultSemantics;
  // Semantic errors in a program with syntax errors are mostly echoes of the syntax errors.
  const more = semantics !== undefined && !hasErrors(parsed.diagnostics) ? semantics(parsed.program, text.right, file) : [];
  return { file, text: text.right, diagnostics: sortDiagnostics([...parsed.diagnostics, ...more]) };
};

export const checkFiles = async (files: readonly string[], opts: CheckOptions = {}): Promise<CheckResult> => {
  const outcomes = await Promise.all(files.map((f) => checkOne(f, opts)));
  const diagnostics = outcomes.flatMap((o) => o.diagnostics);
  const unreadable = outcomes.filter((o) => o.readError !== undefined);
  const stderrLines = unreadable.map((o) => `xreg check: cannot read ${o.file}: ${o.readError ?? ''}`);
  const summary = summaryLine(files.length, diagnostics, unreadable.length);
  const exitCode = unreadable.length > 0 ? 2 : hasErrors(diagnostics) ? 1 : 0;
  if (opts.json === true) {
    return {
      diagnostics,
      exitCode,
      stdout: `${JSON.stringify(diagnosticsToJson(diagnostics), null, 2)}\n`,
      stderr: [...stderrLines, summary].map((l) => `${l}\n`).join(''),
    };
  }
  const rendered = outcomes.flatMap((o) =>
    o.diagnostics.map((d) => `${renderDiagnostic(d, o.text ?? '', { color: opts.color === true })}\n`),
  );
  return {
    diagnostics,
    exitCode,
    stdout: [...rendered, `${summary}\n`].join('\n'),
    stderr: stderrLines.map((l) => `${l}\n`).join(''),
  };
};
