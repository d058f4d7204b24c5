/**
 * How the `xreg check` bundle is built (tools/bundle-cli.mjs after tsc, and the tests from source):
 * one CommonJS script, a function expression `(function (exports, require, module, __filename,
 * __dirname, xregBundleUrl) { … })` that cli/code-cache.ts calls, `xregBundleUrl` standing for the
 * `import.meta.url` of every module in it. Whitespace is minified (less to read, hash and keep,
 * and all ASCII, so that V8 holds the text as one byte per character); names are kept. Packages
 * with native code, WebAssembly or data files of their own stay outside (check loads none of them).
 */
import type { BuildOptions } from 'esbuild';

export const checkBundleOptions = (entry: string, outfile: string): BuildOptions => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['@tensorflow/*', 'vega', 'vega-lite', 'cli-progress', 'esbuild'],
  define: { 'import.meta.url': 'xregBundleUrl' },
  banner: { js: '(function (exports, require, module, __filename, __dirname, xregBundleUrl) {' },
  footer: { js: '})' },
  minifyWhitespace: true,
  legalComments: 'none',
  charset: 'ascii',
  logLevel: 'warning',
});
