#!/usr/bin/env node
// The compiled CLI (npm run build). Kept tiny so that `bin` needs no build step of its own.
// `xreg check` starts from the one-file bundle (tools/bundle-cli.mjs) when it was built: loading the
// compiler as separate modules costs several times the check itself.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/xreg.js', import.meta.url);
await import(process.argv[2] === 'check' && existsSync(bundle) ? bundle.href : '../dist/cli/xreg.js');
