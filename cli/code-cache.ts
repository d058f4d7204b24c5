/**
 * Runs a one-file CommonJS bundle with V8's code cache, so that `xreg check` does not compile ~0.7 MB
 * of JavaScript at every start (Node 20 has no compile cache of its own: `module.enableCompileCache`
 * came with Node 22.1). The bundle (tools/bundle-cli.mjs) is one function expression,
 * `(function (exports, require, module, __filename, __dirname, xregBundleUrl) { … })`, whose last
 * argument stands for the `import.meta.url` of the modules it holds.
 *
 * The cache is a file named for the bundle's content, the Node version and the architecture
 * (`check.cjs.<sha1>.v8cache`): V8 checks that a cache comes from the same V8 version and flags and
 * that the source has the same length, but not that it is the same text, so a cache of an older
 * bundle of the same length would run the older code. It lives beside the bundle (`npm run build`
 * writes it there) or, where the user cannot write there (an install owned by root, then another
 * Node version or other V8 flags), in the user's cache folder (`$XDG_CACHE_HOME/xreg` or
 * `~/.cache/xreg`; never a folder others can write to: a cache is code). A cache that is missing,
 * unreadable or rejected by V8 costs only the compile: the bundle runs from its text and the cache
 * is written afresh once the command's work is done (to a temporary name, then renamed, so that
 * two processes never read half a file), over the rejected one, else beside the bundle, else in the
 * user's folder; where nothing can be written, nothing is.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';

/** Whether the cache was used, and if not, why. */
export type CacheState = 'used' | 'missing' | 'rejected';

export interface CachedBundle {
  /** What the bundle's modules export (its `module.exports`). */
  readonly exports: unknown;
  readonly cache: CacheState;
  /** The cache file read (or, when there was none, the one beside the bundle). */
  readonly cacheFile: string;
  /**
   * Writes the cache when it was not used, with the code compiled so far (call it after the work,
   * so that it holds the functions the work ran, not only the top level); true when written.
   */
  readonly save: () => boolean;
}

type BundleFunction = (
  exports: unknown,
  require: NodeRequire,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  bundleUrl: string,
) => void;

const isBundleFunction = (x: unknown): x is BundleFunction => typeof x === 'function';

export const cacheNameFor = (bundleFile: string, source: Buffer): string => {
  const key = createHash('sha1').update(source).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 20);
  return `${path.basename(bundleFile)}.${key}.v8cache`;
};

export const userCacheFolder = (env: NodeJS.ProcessEnv = process.env): string => path.join(env['XDG_CACHE_HOME'] || path.join(homedir(), '.cache'), 'xreg');

/** Where a cache may be: the user's folder first (it holds one only where the bundle's folder failed), then beside the bundle. */
export const cacheFilesFor = (bundleFile: string, source: Buffer): { readonly user: string; readonly beside: string } => {
  const name = cacheNameFor(bundleFile, source);
  return { user: path.join(userCacheFolder(), name), beside: path.join(path.dirname(bundleFile), name) };
};

const readCache = (file: string): Buffer | undefined => {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
};

const writeCache = (file: string, data: Buffer): boolean => {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
};

/** Loads and runs the bundle's top level; throws only what the bundle itself throws. */
export const loadCachedBundle = (bundleFile: string): CachedBundle => {
  const source = readFileSync(bundleFile);
  const files = cacheFilesFor(bundleFile, source);
  const fromUser = readCache(files.user);
  const cachedData = fromUser ?? readCache(files.beside);
  const cacheFile = fromUser !== undefined ? files.user : files.beside;
  const script = new vm.Script(source.toString('utf8'), { filename: bundleFile, ...(cachedData !== undefined ? { cachedData } : {}) });
  const cache: CacheState = cachedData === undefined ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'used';
  const fn: unknown = script.runInThisContext();
  if (!isBundleFunction(fn)) throw new Error(`${bundleFile} is not a bundle built by tools/bundle-cli.mjs`);
  const module = { exports: {} as unknown };
  fn(module.exports, createRequire(bundleFile), module, bundleFile, path.dirname(bundleFile), pathToFileURL(bundleFile).href);
  return {
    exports: module.exports,
    cache,
    cacheFile,
    save: () => {
      if (cache === 'used') return false;
      const data = script.createCachedData();
      // Over a rejected cache first, so that the next run does not find it again before the new one.
      const targets = cache === 'rejected' ? [cacheFile, files.beside, files.user] : [files.beside, files.user];
      return targets.some((file) => writeCache(file, data));
    },
  };
};

type Main = (argv: readonly string[], dynamicImport: (specifier: string) => Promise<unknown>) => Promise<void>;

const hasMain = (x: unknown): x is { main: Main } => typeof x === 'object' && x !== null && typeof (x as { main?: unknown }).main === 'function';

/**
 * Runs a command bundle's `main(argv, import)` from the cache, and leaves a cache for the next run.
 * The bundle, a script, has no `import()` of its own (cli/plugins/dynamic-import.ts): it gets this
 * module's, which resolves packages from where xreg is installed.
 */
export const runCachedBundle = async (bundleFile: string, argv: readonly string[]): Promise<CacheState> => {
  const bundle = loadCachedBundle(bundleFile);
  if (!hasMain(bundle.exports)) throw new Error(`${bundleFile} exports no main`);
  await bundle.exports.main(argv, (specifier) => import(specifier));
  bundle.save();
  return bundle.cache;
};
