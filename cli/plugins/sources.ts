/**
 * Where a program's plugins are named: `plugin "…"` declarations (in the program and the files it
 * imports), the project file `xreg.config.json` (in the program's folder or the nearest folder
 * above it), and `--plugin` on the command line. Each request keeps the place that named it, so
 * that a plugin that cannot be loaded is reported there.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Program } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Position, Span } from '../../dsl/span.js';
import { gatherDecls, type ReadFile } from '../../compiler/resolve/imports.js';
import { parseProgram } from '../../dsl/parse.js';
import { Codes } from '../../compiler/codes.js';
import { shownPath } from './load.js';

export interface PluginRequest {
  /** As written: a relative path (`./orth.js`), an absolute one, or a package name. */
  readonly specifier: string;
  /** The folder a relative specifier is resolved against. */
  readonly baseDir: string;
  /** Where it was named. */
  readonly span: Span;
}

export const CONFIG_FILE = 'xreg.config.json';

const ProjectConfig = t.exact(t.partial({ plugins: t.array(t.string) }));

const origin: Position = { line: 1, column: 1, offset: 0 };
export const wholeFile = (file: string): Span => ({ file, start: origin, end: origin });

const positionAt = (text: string, offset: number): Position => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1, offset };
};

/** The span of a string's first quoted occurrence in a JSON text, so a config entry is reported on its line. */
const spanOfString = (file: string, text: string, value: string): Span => {
  const i = text.indexOf(JSON.stringify(value));
  if (i < 0) return wholeFile(file);
  return { file, start: positionAt(text, i), end: positionAt(text, i + JSON.stringify(value).length) };
};

/** The nearest `xreg.config.json` at or above `dir`, with its text; none is fine. */
const findConfig = (dir: string): { readonly file: string; readonly text: string } | undefined => {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, CONFIG_FILE);
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch {
      if (path.dirname(d) === d) return undefined;
    }
  }
};

/** The plugins a project file lists, or why the file cannot be read as one. */
export const configRequests = (programDir: string): E.Either<Diagnostic[], PluginRequest[]> => {
  const found = findConfig(programDir);
  if (found === undefined) return E.right([]);
  let json: unknown;
  try {
    json = JSON.parse(found.text);
  } catch (e) {
    return E.left([error(Codes.badConfig, `${CONFIG_FILE} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, wholeFile(shownPath(found.file)))]);
  }
  const decoded = ProjectConfig.decode(json);
  if (E.isLeft(decoded)) {
    return E.left([
      error(Codes.badConfig, `${CONFIG_FILE} should be an object like { "plugins": ["./my-plugin.js"] }`, wholeFile(shownPath(found.file)), '"plugins" is a list of file paths or package names'),
    ]);
  }
  const dir = path.dirname(found.file);
  return E.right((decoded.right.plugins ?? []).map((specifier) => ({ specifier, baseDir: dir, span: spanOfString(shownPath(found.file), found.text, specifier) })));
};

/** `plugin "…"` declarations of a parsed program and of the files it imports. */
export const declaredRequests = (program: Program, readFile: ReadFile): PluginRequest[] =>
  gatherDecls(program, readFile, parseProgram).decls.flatMap((p) =>
    p.decl.kind === 'Plugin' ? [{ specifier: p.decl.path.value, baseDir: path.dirname(path.resolve(p.decl.span.file)), span: p.decl.path.span }] : [],
  );

/** `--plugin PATH` flags, relative to the working directory. */
export const flagRequests = (flags: readonly string[], cwd: string): PluginRequest[] =>
  flags.map((specifier) => ({ specifier, baseDir: cwd, span: wholeFile(`--plugin ${specifier}`) }));
