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
console.log(JSON.stringify({ detail: s.right.detail, restored: URL.createObjectURL === createObjectURL && os.cpus === cpus, productThreads: most, digest: h.digest('hex') }));
