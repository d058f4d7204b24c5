/**
 * Loading one plugin module: finding it (a file, or a package installed beside the program),
 * importing it (`.ts` through tsx when Node cannot), and reading its exports as registry entries.
 * Everything a broken plugin can do — not exist, throw while loading, export nothing usable —
 * becomes a diagnostic at the place that named it, never a stack trace.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Codes } from '../../compiler/codes.js';
import { error, type Diagnostic, type RelatedInfo } from '../../dsl/diagnostic.js';
import type { LibraryEntry } from '../../stdlib/types.js';
import { dynamicImport } from './dynamic-import.js';
import type { PluginRequest } from './sources.js';

export interface LoadedPlugin {
  readonly request: PluginRequest;
  /** The module's file. */
  readonly file: string;
  readonly entries: readonly LibraryEntry[];
  /**
   * SHA-256 of what runs: a file's bundle, minified (its local imports inlined, comments and spacing
   * dropped, so those may change), or a package's entry file as it is.
   * A run's identity includes it: a resume with an edited plugin would continue another experiment.
   */
  readonly hash: string;
}

const isPath = (s: string): boolean => s.startsWith('.') || path.isAbsolute(s);

const PackageJson = t.partial({ main: t.string, module: t.string, exports: t.unknown });

/** The entry file of an ESM-only package, which `require.resolve` refuses (its exports have only `import`). */
const esmEntry = (pkgDir: string): string | undefined => {
  const pj = PackageJson.decode(JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')));
  if (E.isLeft(pj)) return undefined;
  const pick = (x: unknown): string | undefined => {
    if (typeof x === 'string') return x;
    if (typeof x !== 'object' || x === null) return undefined;
    const o = x as Record<string, unknown>;
    return pick(o['.']) ?? pick(o['import']) ?? pick(o['node']) ?? pick(o['default']);
  };
  const rel = pick(pj.right.exports) ?? pj.right.module ?? pj.right.main ?? 'index.js';
  const file = path.join(pkgDir, rel);
  return existsSync(file) ? file : undefined;
};

const resolvePackage = (name: string, baseDir: string): string | undefined => {
  try {
    return createRequire(path.join(baseDir, 'noop.js')).resolve(name);
  } catch {
    for (let d = baseDir; ; d = path.dirname(d)) {
      const pkgDir = path.join(d, 'node_modules', name);
      if (existsSync(path.join(pkgDir, 'package.json'))) return esmEntry(pkgDir);
      if (path.dirname(d) === d) return undefined;
    }
  }
};

export const resolvePlugin = (r: PluginRequest): E.Either<Diagnostic, string> => {
  const file = isPath(r.specifier) ? path.resolve(r.baseDir, r.specifier) : resolvePackage(r.specifier, r.baseDir);
  if (file !== undefined && existsSync(file)) return E.right(file);
  return E.left(
    error(
      Codes.pluginNotFound,
      isPath(r.specifier) ? `cannot find the plugin file '${r.specifier}'` : `cannot find the plugin package '${r.specifier}'`,
      r.span,
      isPath(r.specifier) ? `looked for ${shownPath(file ?? r.specifier)}` : `install it beside the program (npm install ${r.specifier}) or name a file such as "./${r.specifier}.js"`,
    ),
  );
};

const isTs = (file: string): boolean => /\.[cm]?ts$/.test(file);

/**
 * `xreg/plugin` in a plugin always means this xreg's API, wherever the plugin lives (a file outside
 * any project that installs xreg, too): its entries and its `tf` must be the ones the runtime
 * uses, or its tensors would belong to another TensorFlow.js engine.
 */
const apiModule = (): string => {
  const here = fileURLToPath(import.meta.url);
  // Run from source (tsx, vitest): the source API; from the build or its bundle: the build's.
  if (here.endsWith('.ts')) return pathToFileURL(path.join(path.dirname(here), '..', '..', 'stdlib', 'plugin', 'index.ts')).href;
  for (let d = path.dirname(here); ; d = path.dirname(d)) {
    const js = path.join(d, 'stdlib', 'plugin', 'index.js');
    if (existsSync(js)) return pathToFileURL(js).href;
    if (path.dirname(d) === d) return pathToFileURL(js).href;
  }
};

const hook = `
let target;
export const initialize = (data) => { target = data.target; };
export const resolve = (specifier, context, next) =>
  next(specifier === 'xreg/plugin' ? target : specifier, context);
`;

let hooked = false;
const hookApi = (): void => {
  if (hooked) return;
  hooked = true;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { target: apiModule() } });
};

/**
 * A plugin file, whatever it is written in (TypeScript, ESM or CommonJS JavaScript, in a folder with
 * or without a package.json), is bundled by esbuild into one ES module: its relative imports are
 * inlined and its package imports kept, so the bundle is written beside the file (and removed once
 * imported) for those to resolve as they would from the file itself. The name carries the bundle's
 * hash, so an edited plugin is imported afresh (the language server reloads it) and an unchanged
 * one comes from the module cache.
 */
const importFile = async (file: string): Promise<{ readonly ns: unknown; readonly hash: string }> => {
  const esbuild = (await dynamicImport('esbuild')) as typeof import('esbuild');
  const built = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Stack traces of a plugin that throws while loading then name its own file and line.
    sourcemap: 'inline',
    outfile: path.join(path.dirname(file), 'bundle.mjs'),
  });
  const code = built.outputFiles[0]?.text ?? '';
  const out = path.join(path.dirname(file), `.${path.basename(file)}.${createHash('sha256').update(code).digest('hex').slice(0, 12)}.xreg.mjs`);
  writeFileSync(out, code);
  process.setSourceMapsEnabled(true);
  // The identity of what runs: the same bundle minified, which drops every comment and all spacing
  // (the bundle above keeps comments inside expressions, and its source map the whole text).
  const min = await esbuild.build({ entryPoints: [file], bundle: true, packages: 'external', format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent', minify: true, legalComments: 'none' });
  const hash = createHash('sha256').update(min.outputFiles[0]?.text ?? code).digest('hex');
  try {
    return { ns: await dynamicImport(pathToFileURL(out).href), hash };
  } finally {
    rmSync(out, { force: true });
  }
};

const importModule = async (file: string, isPackage: boolean): Promise<{ readonly ns: unknown; readonly hash: string }> => {
  hookApi();
  if (!isPackage) return importFile(file);
  return { ns: await dynamicImport(pathToFileURL(file).href), hash: createHash('sha256').update(readFileSync(file)).digest('hex') };
};

/** esbuild's own report of a syntax or type-stripping error: the file and line it names. */
const buildErrorAt = (e: unknown): RelatedInfo | undefined => {
  const errors = (e as { errors?: readonly { text?: string; location?: { file?: string; line?: number; column?: number } | null }[] }).errors;
  const first = errors?.[0];
  const loc = first?.location;
  if (loc?.file === undefined || loc.line === undefined) return undefined;
  const pos = { line: loc.line, column: (loc.column ?? 0) + 1, offset: 0 };
  return { span: { file: shownPath(path.resolve(loc.file)), start: pos, end: pos }, message: first?.text ?? 'here' };
};

/** The plugin's own line that threw, from the stack, so the note points into the plugin rather than into xreg. */
const thrownAt = (e: unknown, file: string): RelatedInfo | undefined => {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const url = pathToFileURL(file).href;
  for (const line of stack.split('\n')) {
    const m = /((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)/.exec(line);
    if (m === null || m[1] === undefined) continue;
    const where = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
    if (where !== file && m[1] !== url) continue;
    const pos = { line: Number(m[2]), column: Number(m[3]), offset: 0 };
    return { span: { file: shownPath(file), start: pos, end: pos }, message: 'thrown here' };
  }
  return undefined;
};

/** A plugin's file as messages show it: relative to the working directory when it is inside it. */
export const shownPath = (file: string): string => {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
};

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

const Fun = new t.Type<(...a: never[]) => unknown, unknown, unknown>(
  'function',
  (u): u is (...a: never[]) => unknown => typeof u === 'function',
  (u, c) => (typeof u === 'function' ? t.success(u as (...a: never[]) => unknown) : t.failure(u, c)),
  (f) => f,
);
const ArgSpecC = t.intersection([
  t.type({ name: t.string, type: t.keyof({ int: null, number: null, bool: null, string: null, list: null }) }),
  t.partial({ doc: t.string }),
]);
const codecs: Readonly<Record<string, t.Mixed>> = {
  fn: t.type({ name: t.string, tensorArgs: t.array(t.string), options: t.array(ArgSpecC), infer: Fun, apply: Fun, differentiable: t.boolean }),
  layer: t.type({ name: t.string, args: t.array(ArgSpecC), stochastic: t.boolean, infer: Fun, apply: Fun }),
  optimizer: t.type({ name: t.string, options: t.array(ArgSpecC), validate: Fun, init: Fun, step: Fun }),
  loader: t.type({ name: t.string, args: t.array(ArgSpecC), schema: Fun, load: Fun }),
};

const looksLikeEntry = (u: unknown): u is { readonly kind: unknown; readonly name?: unknown } => typeof u === 'object' && u !== null && 'kind' in u;

/** Every export that is an entry: the default export, named exports, and arrays of either. */
const exportedValues = (ns: unknown): unknown[] => {
  if (typeof ns !== 'object' || ns === null) return [];
  const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
  return Object.values(ns as Record<string, unknown>).flatMap(flat);
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const entriesOf = (ns: unknown, r: PluginRequest): E.Either<Diagnostic[], LibraryEntry[]> => {
  const candidates = [...new Set(exportedValues(ns).filter(looksLikeEntry))];
  if (candidates.length === 0) {
    return E.left([
      error(Codes.pluginNoEntries, `the plugin '${r.specifier}' exports nothing xreg can use`, r.span, 'export entries made with defineFn, defineLayer, defineOptimizer or defineLoader (from "xreg/plugin")'),
    ]);
  }
  const bad: Diagnostic[] = [];
  const good: LibraryEntry[] = [];
  for (const c of candidates) {
    const label = typeof c.name === 'string' ? `'${c.name}'` : 'an entry';
    const codec = typeof c.kind === 'string' ? codecs[c.kind] : undefined;
    if (codec === undefined) {
      bad.push(error(Codes.pluginBadEntry, `the plugin '${r.specifier}' exports ${label} of unknown kind '${String(c.kind)}'`, r.span, 'kinds are fn, layer, optimizer and loader'));
    } else if (E.isLeft(codec.decode(c))) {
      const missing = Object.keys((codec as t.InterfaceType<t.Props>).props).filter((k) => E.isLeft(((codec as t.InterfaceType<t.Props>).props[k] as t.Mixed).decode((c as Record<string, unknown>)[k])));
      bad.push(error(Codes.pluginBadEntry, `the plugin '${r.specifier}' exports ${label}, which is not a complete ${String(c.kind)} entry (wrong or missing: ${missing.join(', ')})`, r.span, `make it with define${String(c.kind).replace(/^./, (x) => x.toUpperCase())} from "xreg/plugin"`));
    } else if (typeof c.name !== 'string' || !NAME.test(c.name)) {
      bad.push(error(Codes.pluginBadEntry, `the plugin '${r.specifier}' exports an entry named '${String(c.name)}', which a program cannot call`, r.span, 'a name is letters, digits and _, not starting with a digit'));
    } else good.push(c as LibraryEntry);
  }
  return bad.length > 0 ? E.left(bad) : E.right(good);
};

export const loadPlugin = async (r: PluginRequest): Promise<E.Either<Diagnostic[], LoadedPlugin>> => {
  const file = resolvePlugin(r);
  if (E.isLeft(file)) return E.left([file.left]);
  let loaded: { readonly ns: unknown; readonly hash: string };
  try {
    loaded = await importModule(file.right, !isPath(r.specifier));
  } catch (e) {
    const at = buildErrorAt(e) ?? thrownAt(e, file.right);
    const d = error(Codes.pluginThrew, `the plugin '${r.specifier}' failed while loading: ${firstLine(e)}`, r.span, 'fix the plugin module; xreg loads it before compiling the program');
    return E.left([at === undefined ? d : { ...d, related: [at] }]);
  }
  return E.map((entries: LibraryEntry[]) => ({ request: r, file: file.right, entries, hash: loaded.hash }))(entriesOf(loaded.ns, r));
};
