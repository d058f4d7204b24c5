// One process of bench/wasm-threads.ts: selects wasm (XREG_WASM_THREADS from the environment),
// times the MLP step and a matMul, prints one JSON line.
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { selectBackend } from '../runtime/backend/select.js';
import { mlpStep } from './mlp-step.js';
import { timeSteps } from './wasm-timing.js';

const steps = Number(process.argv[2] ?? '30');
const s = await selectBackend('wasm');
if (E.isLeft(s)) throw new Error(s.left);
const m = mlpStep();
const mlp = timeSteps(m.step, 5, steps).medianMs;
m.dispose();
const a = tf.randomNormal([512, 784], 0, 1, 'float32', 1);
const b = tf.randomNormal([784, 256], 0, 1, 'float32', 2);
const matMul = timeSteps(() => void tf.matMul(a, b).dataSync(), 3, steps).medianMs;
console.log(JSON.stringify({ detail: s.right.detail.split(';')[0] ?? '', mlp, matMul }));
