#!/usr/bin/env node
// The compiled CLI (npm run build). Kept tiny so that `bin` needs no build step of its own.
// `xreg check` starts from a one-file bundle (tools/bundle-cli.mjs) run with V8's code cache
// (cli/code-cache.ts) when it was built: loading the compiler as separate modules, or compiling the
// bundle afresh, costs several times the check itself.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

const bundle = fileURLToPath(new URL('../dist/bundle/check.cjs', import.meta.url));
if (process.argv[2] === 'check' && existsSync(bundle)) {
  // A check is over in a tenth of a second: V8 would spend more on optimizing the functions it
  // runs most (in background threads, then thrown away) than that saves. A 15 times larger budget
  // before a function is considered hot leaves a short check in the interpreter and baseline code
  // while a long one (thousands of lines) still gets optimized (bench/README.md, issue 10).
  setFlagsFromString('--interrupt-budget=1000000');
  await (await import('../dist/cli/code-cache.js')).runCachedBundle(bundle, process.argv);
} else await import('../dist/cli/xreg.js');
