// One training step (forward, backward with tf.variableGrads, Adam update) of a
// 784-256-256-10 MLP on a batch of 128: wasm with and without our transposed-
// product kernel, and the CPU backend for reference.
// Run: npx tsx bench/wasm-mlp-step.ts [--steps 30] [--warmup 5] [--cpu-steps 10]
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { selectBackend } from '../runtime/backend/select.js';
import { registerWasmKernels } from '../runtime/backend/wasm-kernels/index.js';
import { environment, fmt, intOption, timeSteps, type Timing } from './wasm-timing.js';

const steps = intOption('steps', 30);
const warmup = intOption('warmup', 5);
const cpuSteps = intOption('cpu-steps', 10);
const sizes = [784, 256, 256, 10];
const batch = 128;

function glorot(fanIn: number, fanOut: number): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', 7);
}

/** Builds the model and optimizer on the active backend and times `n` steps. */
function timeTraining(n: number): Timing {
  const layers = sizes.slice(1).map((out, i) => ({
    w: tf.variable(glorot(sizes[i] ?? 0, out)),
    b: tf.variable(tf.zeros([out])),
  }));
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal([batch, 784], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      let h: tf.Tensor = x;
      layers.forEach(({ w, b }, i) => {
        const z = tf.add(tf.matMul(h, w), b);
        h = i < layers.length - 1 ? tf.relu(z) : z;
      });
      return tf.losses.softmaxCrossEntropy(labels, h) as tf.Scalar;
    });
  const step = (): void => {
    const { value, grads } = tf.variableGrads(loss);
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const timing = timeSteps(step, warmup, n);
  optimizer.dispose();
  tf.dispose([x, labels, ...layers.flatMap(({ w, b }) => [w, b])]);
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
