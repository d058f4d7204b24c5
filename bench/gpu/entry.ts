// The single-file GPU bundle's entry (bench/gpu/build-bundle.sh): the bundle has no node_modules,
// so it serves Dawn (dawn.node beside it) and tfjs-backend-webgpu to the backend selection itself.
//   node xreg-gpu.mjs check [--only S] [--tol T]      every program's step on webgpu vs cpu/wasm
//   node xreg-gpu.mjs steps [--json F] [--epochs N]   MLP, conv and crossreg_noise-epoch timings
//   node xreg-gpu.mjs kernels                         kernels the steps run that webgpu lacks
//   node xreg-gpu.mjs xreg run FILE ...               the xreg command line
import '@tensorflow/tfjs';
import * as tfWebgpu from '@tensorflow/tfjs-backend-webgpu';
import * as tfCore from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { provideModules } from '../../runtime/backend/select.js';
import { provideTf } from '../../stdlib/tf.js';
import { kernelCheck } from './kernel-check.js';
import { flag, numberOption, stringOption } from './options.js';
import { timeSteps } from './steps.js';

const here = path.dirname(path.resolve(process.argv[1] ?? '.'));
process.env['XREG_WASM_DIR'] ??= here;
const load = (): unknown => createRequire(import.meta.url)(path.join(here, 'dawn.node'));
provideTf(tfCore);
provideModules({ '@tensorflow/tfjs-backend-webgpu': tfWebgpu });
try {
  provideModules({ webgpu: load() });
} catch (err) {
  // Left for the selection to report as "not loadable" with this reason.
  console.error(`dawn.node did not load: ${String(err).split('\n')[0]}`);
}

const command = process.argv[2];
const only = stringOption('only');
if (command === 'check' || command === 'kernels') {
  const ok = await kernelCheck({ target: 'webgpu', ...(only !== undefined ? { only } : {}), tol: numberOption('tol', 1e-3), kernelsOnly: command === 'kernels' || flag('kernels-only') });
  process.exitCode = ok ? 0 : 1;
} else if (command === 'steps') {
  const r = await timeSteps('webgpu', { steps: numberOption('steps', 30), warmup: numberOption('warmup', 5), epochs: numberOption('epochs', 3) });
  const json = stringOption('json');
  if (json !== undefined) (await import('node:fs')).writeFileSync(json, JSON.stringify(r));
} else if (command === 'xreg') {
  process.argv.splice(2, 1);
  await import('../../cli/xreg.js');
} else {
  console.error('usage: node xreg-gpu.mjs check|kernels|steps|xreg ...');
  process.exitCode = 2;
}
