/**
 * What the language server knows about one open document: the same stages `xreg check` runs
 * (parse, the program's plugins, compile, lowering), kept as values so hover, go-to-definition and
 * completion can read the declarations, the registry and the IR without compiling again.
 */
import * as E from 'fp-ts/lib/Either.js';
import { loweringDiagnostics, type RegistryFor } from '../check.js';
import { compileProgram } from '../../compiler/compile.js';
import type { IRProgram } from '../../compiler/ir.js';
import { gatherDecls, type PlacedDecl, type ReadFile } from '../../compiler/resolve/imports.js';
import type { Program } from '../../dsl/ast.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../../dsl/diagnostic.js';
import { parseProgram } from '../../dsl/parse.js';
import type { Registry } from '../../stdlib/registry.js';

export interface Analysis {
  readonly file: string;
  readonly text: string;
  readonly program: Program;
  /** The program's declarations and those of every file it imports (each span names its file). */
  readonly decls: readonly PlacedDecl[];
  readonly diagnostics: readonly Diagnostic[];
  /** Absent when the program's plugins could not be loaded; then the standard library stands in. */
  readonly registry: Registry;
  /** Present when the program compiled without errors. */
  readonly ir?: IRProgram;
}

export const analyze = async (file: string, text: string, readFile: ReadFile, registryFor: RegistryFor, fallback: Registry): Promise<Analysis> => {
  const parsed = parseProgram(text, file);
  const decls = gatherDecls(parsed.program, readFile, parseProgram).decls;
  const base = { file, text, program: parsed.program, decls };
  // Semantic errors in a program with syntax errors are mostly echoes of the syntax errors.
  if (hasErrors(parsed.diagnostics)) return { ...base, diagnostics: parsed.diagnostics, registry: fallback };
  const registry = await registryFor(file, parsed.program);
  if (E.isLeft(registry)) return { ...base, diagnostics: sortDiagnostics([...parsed.diagnostics, ...registry.left]), registry: fallback };
  const compiled = compileProgram(parsed.program, { readFile, registry: registry.right });
  const lowering = compiled.ir === undefined ? [] : loweringDiagnostics(compiled.ir, registry.right);
  return {
    ...base,
    diagnostics: sortDiagnostics([...parsed.diagnostics, ...compiled.diagnostics, ...lowering]),
    registry: registry.right,
    ...(compiled.ir !== undefined ? { ir: compiled.ir } : {}),
  };
};
