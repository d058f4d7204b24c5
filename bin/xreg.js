#!/usr/bin/env node
// The compiled CLI (npm run build). Kept tiny so that `bin` needs no build step of its own.
import '../dist/cli/xreg.js';
