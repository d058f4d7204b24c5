/**
 * `xreg check` as bin/xreg.js runs it (a bundle through cli/code-cache.ts), from source:
 * `node --import tsx test/helpers/cached-check.ts BUNDLE check ARGS…`. The cache's state is the
 * last line of stderr (`code cache: used|missing|rejected`).
 */
import { runCachedBundle } from '../../cli/code-cache.js';

const [bundle = '', ...args] = process.argv.slice(2);
const state = await runCachedBundle(bundle, [process.argv[0] ?? 'node', 'xreg', ...args]);
process.stderr.write(`code cache: ${state}\n`);
