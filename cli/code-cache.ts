/**
 * Runs a one-file CommonJS bundle with V8's code cache, so that `xreg check` does not compile ~0.7 MB
 * of JavaScript at every start (Node 20 has no compile cache of its own: `module.enableCompileCache`
 * came with Node 22.1). The bundle (tools/bundle-cli.mjs) is one function expression,
 * `(function (exports, require, module, __filename, __dirname, xregBundleUrl) { … })`, whose last
 * argument stands for the `import.meta.url` of the modules it holds.
 *
 * The cache is a file beside the bundle, named for the bundle's content, the Node version and the
 * architecture (`check.cjs.<sha1>.v8cache`): V8 checks that a cache comes from the same V8 version
 * and flags and that the source has the same length, but not that it is the same text, so a cache
 * of an older bundle of the same length would run the older code. A cache that is missing,
 * unreadable or rejected by V8 costs only the compile: the bundle runs from its text and the cache
 * is written afresh once the command's work is done (to a temporary name, then renamed, so that
 * two processes never read half a file); a folder that cannot be written is left alone.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';

/** Whether the cache was used, and if not, why. */
export type CacheState = 'used' | 'missing' | 'rejected';

export interface CachedBundle {
  /** What the bundle's modules export (its `module.exports`). */
  readonly exports: unknown;
  readonly cache: CacheState;
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

export const cacheFileFor = (bundleFile: string, source: Buffer): string => {
  const key = createHash('sha1').update(source).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 20);
  return `${bundleFile}.${key}.v8cache`;
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
  const cacheFile = cacheFileFor(bundleFile, source);
  const cachedData = readCache(cacheFile);
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
    save: () => cache !== 'used' && writeCache(cacheFile, script.createCachedData()),
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
