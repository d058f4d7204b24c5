/**
 * `import()` of a plugin module or of esbuild, as the entry point provides it. The `xreg check`
 * bundle runs as a script restored from V8's code cache (cli/code-cache.ts), and under Node 20 such
 * a script has no `import()` of its own ("A dynamic import callback was not specified"; the
 * callback Node ≥ 20.12 offers is lost when the script comes from the cache, and it prints an
 * experimental-feature warning). The cache's loader, a real ES module, hands in its own `import()`;
 * everywhere else this module's own serves, resolving from the package as before.
 */
export type DynamicImport = (specifier: string) => Promise<unknown>;

let current: DynamicImport = (specifier) => import(specifier);

export const dynamicImport = (specifier: string): Promise<unknown> => current(specifier);

/** Set once, by the entry point, before anything is imported. */
export const useDynamicImport = (f: DynamicImport): void => {
  current = f;
};
