// Bundles the compiled CLI (dist/cli/xreg.js) into dist/bundle/ for `xreg check`, which an editor
// runs on every save. Node's ESM loader resolves and links each file separately: the ~150 compiled
// modules and lodash-es's ~600 (through chevrotain) cost several times the check itself. Dynamic
// imports (run, plot, explain) become chunks that `check` never loads; the packages that hold
// native code, WebAssembly or their own data files stay outside the bundle and load from
// node_modules. bin/xreg.js uses the bundle for `check` only; every other command runs the plain
// tsc output.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/xreg.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@tensorflow/*', 'vega', 'vega-lite', 'cli-progress', 'esbuild'],
  // commander is CommonJS and requires node builtins; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as xregCreateRequire } from 'node:module'; const require = xregCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
