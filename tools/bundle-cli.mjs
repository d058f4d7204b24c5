// Bundles `xreg check` (dist/cli/check-main.js, compiled by tsc) into one script,
// dist/bundle/check.cjs (options: cli/check-bundle.ts), which bin/xreg.js runs with V8's code cache
// (cli/code-cache.ts): an editor runs `check` on every save. As separate ES modules, resolving and
// linking the ~150 compiled modules and lodash-es's ~600 (through chevrotain) cost several times
// the check itself, and compiling the bundle's text at every start most of what was left.
// Every other command runs the plain tsc output.
//
// Then one `xreg check` writes the code cache beside the bundle, holding what checking a program
// compiles; a Node version that finds no cache of its own writes one on its first check.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { checkBundleOptions } from '../dist/cli/check-bundle.js';

rmSync('dist/bundle', { recursive: true, force: true });
await build(checkBundleOptions('dist/cli/check-main.js', 'dist/bundle/check.cjs'));
// One small program: warming with all of programs/ made a cache 16% larger and no check faster.
spawnSync(process.execPath, ['bin/xreg.js', 'check', 'programs/crossreg/ridge.xreg'], { stdio: 'ignore' });
if (!readdirSync('dist/bundle').some((f) => f.endsWith('.v8cache'))) console.warn('bundle-cli: no code cache written; the first `xreg check` will write it');
