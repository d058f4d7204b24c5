/**
 * Run as a child process by test/backend/wasm-threads.test.ts (the wasm backend initializes once per
 * process): selects wasm as `xreg run` does, trains the benchmarks' MLP for 3 steps and prints one
 * JSON line: the backend's start-up detail, whether the globals the loader borrows are back, the
 * most threads one of our products ran on, and a digest of every parameter and optimizer slot.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { mlpStep } from '../../bench/mlp-step.js';

const createObjectURL = URL.createObjectURL;
const cpus = os.cpus;
const { selectBackend } = await import('../../runtime/backend/select.js');
const s = await selectBackend('wasm');
if (E.isLeft(s)) throw new Error(s.left);
const { registerWasmKernels } = await import('../../runtime/backend/wasm-kernels/index.js');
let most = 0;
registerWasmKernels({ onOwnProduct: (_plan, threads) => void (most = Math.max(most, threads)) });
const m = mlpStep();
for (let i = 0; i < 3; i++) m.step();
const h = createHash('sha256');
for (const v of Object.values(tf.engine().state.registeredVariables)) h.update(new Uint8Array(v.dataSync().buffer));
// xreg's own Adam (one fused kernel) on a parameter large enough to be split over the threads:
// 3 steps, the last with a NaN in the gradient (the flag must come back from whichever thread saw it).
const { adam } = await import('../../stdlib/optimizers/index.js');
const { splitUpdates } = await import('../../stdlib/optimizers/adam-fused.js');
const { knownFinite } = await import('../../stdlib/optimizers/finite-known.js');
const wave = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
let params = [tf.tensor(wave(300 * 301, 1), [300, 301])];
let state = adam.init(params, { lr: 0.01 });
const finite: (boolean | undefined)[] = [];
for (let k = 0; k < 3; k++) {
  const g = wave(300 * 301, 10 + k);
  if (k === 2) g[300 * 301 - 5] = Number.NaN;
  const r = adam.step(params, [tf.tensor(g, [300, 301])], state, 0.01, { lr: 0.01 });
  params = [...r.params];
  state = r.state;
  finite.push(params[0] === undefined ? undefined : knownFinite(params[0].dataId));
}
for (const t of [...params, ...Object.values(state.slots).flat()]) h.update(new Uint8Array(t.dataSync().buffer));
console.log(JSON.stringify({ detail: s.right.detail, restored: URL.createObjectURL === createObjectURL && os.cpus === cpus, productThreads: most, adamSplits: splitUpdates(), finite, digest: h.digest('hex') }));
