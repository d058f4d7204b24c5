// One training step (forward, backward with tf.variableGrads, Adam update) of a
// 784-256-256-10 MLP on a batch of 128: wasm with and without our transposed-
// product kernel, and the CPU backend for reference.
// Run: npx tsx bench/wasm-mlp-step.ts [--steps 30] [--warmup 5] [--cpu-steps 10]
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { selectBackend } from '../runtime/backend/select.js';
import { registerWasmKernels } from '../runtime/backend/wasm-kernels/index.js';
import { environment, fmt, intOption, timeSteps, type Timing } from './wasm-timing.js';
import { batch, mlpStep } from './mlp-step.js';

const steps = intOption('steps', 30);
const warmup = intOption('warmup', 5);
const cpuSteps = intOption('cpu-steps', 10);
/** Builds the model and optimizer on the active backend and times `n` steps. */
function timeTraining(n: number): Timing {
  const mlp = mlpStep();
  const timing = timeSteps(mlp.step, warmup, n);
  mlp.dispose();
  return timing;
}

const selected = await selectBackend('wasm');
if (E.isLeft(selected)) {
  console.error(selected.left);
  process.exit(1);
}
registerWasmKernels({ transposedMatMul: true });
const ours = timeTraining(steps);
registerWasmKernels({ transposedMatMul: false });
const plain = timeTraining(steps);
registerWasmKernels({ transposedMatMul: true });
await tf.setBackend('cpu');
const cpu = timeTraining(cpuSteps);

console.log(`MLP 784-256-256-10, batch ${batch}, Adam; median ms per step after ${warmup} warm-up steps (${environment()})`);
console.log(`wasm, our transposed-product kernel   ${fmt(ours.medianMs)}  (min ${ours.minMs.toFixed(1)}, n=${ours.samples})`);
console.log(`wasm, tfjs-backend-wasm's BatchMatMul ${fmt(plain.medianMs)}  (min ${plain.minMs.toFixed(1)}, n=${plain.samples})`);
console.log(`cpu (plain JS)                        ${fmt(cpu.medianMs)}  (min ${cpu.minMs.toFixed(1)}, n=${cpu.samples})`);
console.log(`speed-up of our kernel on wasm: ${(plain.medianMs / ours.medianMs).toFixed(2)}x; wasm (ours) vs cpu: ${(cpu.medianMs / ours.medianMs).toFixed(1)}x`);
