/**
 * `xreg check`: the pure core, separate from commander so that tests (and other commands) can call it.
 * The compiler's checks plug in through `CheckOptions.semantics`; see `defaultSemantics`. A program
 * that compiles clean is also lowered to step functions, so `xreg check` reports what `xreg run`
 * would refuse before training (E06xx), still without touching data.
 */
import { csvWidthDiagnostics } from './csv-width.js';
import * as E from 'fp-ts/lib/Either.js';
import { compileProgram } from '../compiler/compile.js';
import type { IRProgram } from '../compiler/ir.js';
import { lowerProgram } from '../compiler/lower/index.js';
import type { ReadFile } from '../compiler/resolve/imports.js';
import type { Program } from '../dsl/ast.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../dsl/diagnostic.js';
import { parseProgram } from '../dsl/parse.js';
import { readSourceSync } from '../dsl/read-source.js';
import { diagnosticsToJson, renderDiagnostic } from '../dsl/render.js';
import { standardLibrary, type Registry } from '../stdlib/registry.js';

/** The compiler stage: diagnostics about a program that parsed without syntax errors. */
export type SemanticCheck = (program: Program, text: string, file: string) => readonly Diagnostic[];

/** Imports are read synchronously: the compiler's `ReadFile` is a plain function of the path. */
export const readTextSync: ReadFile = readSourceSync;

/**
 * Lowering as a check: builds the step functions of one member (a sweep's first value; every
 * member lowers the same IR, only the variable's value differs) and keeps only the diagnostics.
 * Lowering builds closures; it reads no data and allocates no tensors until `init` is called.
 */
export const loweringDiagnostics = (ir: IRProgram, registry: Registry = standardLibrary): readonly Diagnostic[] => {
  const sw = ir.sweep;
  const first = sw?.members[0];
  const r = lowerProgram(ir, registry, first !== undefined ? { sweep: first } : {});
  return E.isLeft(r) ? r.left : [];
};

/**
 * The compiler as a check: names, shapes, partitions, leakage, dead ρ, schedules, then lowering.
 * It touches no data, and an import is read relative to the file that imports it (the program's `file`).
 */
export const compilerSemantics =
  (readImport: ReadFile, registry: Registry = standardLibrary): SemanticCheck =>
  (program) => {
    const compiled = compileProgram(program, { readFile: readImport, registry });
    // an IR exists only when the program compiled without errors
    return compiled.ir === undefined ? compiled.diagnostics : [...compiled.diagnostics, ...csvWidthDiagnostics(compiled.ir), ...loweringDiagnostics(compiled.ir, registry)];
  };

export const defaultSemantics: SemanticCheck = compilerSemantics(readTextSync);

/** The registry a file is checked against (the standard library and its plugins), or why it cannot be built. */
export type RegistryFor = (file: string, program: Program) => Promise<E.Either<readonly Diagnostic[], Registry>>;

export interface CheckOptions {
  readonly json?: boolean;
  readonly color?: boolean;
  readonly semantics?: SemanticCheck;
  /** Absent: the standard library alone. Ignored when `semantics` is given. */
  readonly registryFor?: RegistryFor;
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

// Synchronous under the hood: a program is a few KB, and the type check must come before any read.
const readText = async (file: string): Promise<E.Either<string, string>> => Promise.resolve(readSourceSync(file));

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
  readonly readError?: string;
  readonly diagnostics: readonly Diagnostic[];
  /** The text of every file a diagnostic points into (the checked file, and imports). */
  readonly sources: ReadonlyMap<string, string>;
}

/** The checks for one file: the caller's, or the compiler's against the file's registry (a plugin that fails to load is the diagnostic). */
const semanticsOf = async (file: string, program: Program, text: string, opts: CheckOptions): Promise<readonly Diagnostic[]> => {
  if (opts.semantics !== undefined) return opts.semantics(program, text, file);
  if (opts.registryFor === undefined) return defaultSemantics(program, text, file);
  const registry = await opts.registryFor(file, program);
  return E.isLeft(registry) ? registry.left : compilerSemantics(readTextSync, registry.right)(program, text, file);
};

const checkOne = async (file: string, opts: CheckOptions): Promise<FileOutcome> => {
  const read = opts.read ?? readText;
  const text = await read(file);
  if (E.isLeft(text)) return { file, readError: text.left, diagnostics: [], sources: new Map() };
  const parsed = parseProgram(text.right, file);
  // Semantic errors in a program with syntax errors are mostly echoes of the syntax errors.
  const more = hasErrors(parsed.diagnostics) ? [] : await semanticsOf(file, parsed.program, text.right, opts);
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...more]);
  const sources = new Map([[file, text.right]]);
  // Diagnostics inside an imported file are shown with that file's line.
  for (const other of new Set(diagnostics.map((d) => d.span.file))) {
    if (sources.has(other)) continue;
    const t = await read(other);
    if (E.isRight(t)) sources.set(other, t.right);
  }
  return { file, diagnostics, sources };
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
    o.diagnostics.map((d) => `${renderDiagnostic(d, o.sources.get(d.span.file) ?? '', { color: opts.color === true })}\n`),
  );
  return {
    diagnostics,
    exitCode,
    stdout: [...rendered, `${summary}\n`].join('\n'),
    stderr: stderrLines.map((l) => `${l}\n`).join(''),
  };
};
