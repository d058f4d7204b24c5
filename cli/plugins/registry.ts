/**
 * The registry a program is compiled and run against: the standard library plus the plugins its
 * declarations, its project file and the command line name. Built once per program and passed
 * down to every stage (compile, data, lowering, the language server); nothing reads a global.
 */
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { Codes } from '../../compiler/codes.js';
import type { ReadFile } from '../../compiler/resolve/imports.js';
import type { Program } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { parseProgram } from '../../dsl/parse.js';
import { makeRegistry, type Registry } from '../../stdlib/registry.js';
import type { LibraryEntry } from '../../stdlib/types.js';
import { loadPlugin, type LoadedPlugin } from './load.js';
import { configRequests, declaredRequests, flagRequests, type PluginRequest } from './sources.js';

export interface PluginOptions {
  /** `--plugin` values. */
  readonly flags?: readonly string[];
  /** What relative `--plugin` paths are relative to. */
  readonly cwd?: string;
}

/** Entry names a registry has, and where the plugin that brought each was named (none for built-ins). */
interface Owner {
  readonly request?: PluginRequest;
}

const clashes = (base: Registry, plugins: readonly LoadedPlugin[]): Diagnostic[] => {
  const owners = new Map<string, Owner>([...base.entries.keys()].map((k) => [k, {}]));
  const out: Diagnostic[] = [];
  for (const p of plugins) {
    for (const e of p.entries) {
      const prior = owners.get(e.name);
      if (prior === undefined) {
        owners.set(e.name, { request: p.request });
        continue;
      }
      out.push(
        prior.request === undefined
          ? error(Codes.pluginClash, `the plugin '${p.request.specifier}' defines '${e.name}', which the standard library already has`, p.request.span, 'give the plugin entry another name; plugins add to the standard library, they do not replace it')
          : {
              ...error(Codes.pluginClash, `the plugins '${prior.request.specifier}' and '${p.request.specifier}' both define '${e.name}'`, p.request.span, 'rename one of the entries'),
              related: [{ span: prior.request.span, message: `'${prior.request.specifier}' is named here` }],
            },
      );
    }
  }
  return out;
};

/** Loads the plugins (each file once, however many places name it) and adds them to `base`. */
export const registryWith = async (base: Registry, requests: readonly PluginRequest[]): Promise<E.Either<Diagnostic[], Registry>> => {
  const seen = new Set<string>();
  const loaded: LoadedPlugin[] = [];
  const errs: Diagnostic[] = [];
  for (const r of requests) {
    const p = await loadPlugin(r);
    if (E.isLeft(p)) errs.push(...p.left);
    else if (!seen.has(p.right.file)) {
      seen.add(p.right.file);
      loaded.push(p.right);
    }
  }
  errs.push(...clashes(base, loaded));
  if (errs.length > 0) return E.left(errs);
  const entries: LibraryEntry[] = [...base.entries.values(), ...loaded.flatMap((p) => p.entries)];
  const origins = new Map(loaded.flatMap((p) => p.entries.map((e) => [e.name, p.file] as const)));
  return E.right({ ...makeRegistry(entries), origins, plugins: loaded.map((p) => ({ file: p.file, hash: p.hash })) });
};

/** Every place that names a plugin for `file`: its project file, the command line, its declarations. */
export const pluginRequests = (file: string, program: Program | undefined, readFile: ReadFile, o: PluginOptions = {}): E.Either<Diagnostic[], PluginRequest[]> =>
  E.map((config: PluginRequest[]) => [
    ...config,
    ...flagRequests(o.flags ?? [], o.cwd ?? process.cwd()),
    ...(program !== undefined ? declaredRequests(program, readFile) : []),
  ])(configRequests(path.dirname(path.resolve(file))));

export const programRegistry = async (
  base: Registry,
  file: string,
  program: Program | undefined,
  readFile: ReadFile,
  o: PluginOptions = {},
): Promise<E.Either<Diagnostic[], Registry>> => {
  const requests = pluginRequests(file, program, readFile, o);
  return E.isLeft(requests) ? requests : registryWith(base, requests.right);
};

/**
 * The registry for a program file as the commands need it: the file is parsed for its `plugin`
 * declarations (a file with syntax errors still names the plugins it declares before them).
 */
export const registryForFile = async (base: Registry, file: string, text: string, readFile: ReadFile, o: PluginOptions = {}): Promise<E.Either<Diagnostic[], Registry>> =>
  programRegistry(base, file, parseProgram(text, file).program, readFile, o);
