// Micro-benchmark: transposed matrix products on the wasm backend, with
// tfjs-backend-wasm's own BatchMatMul and with ours (transpose first).
// Shapes are those of a 784 -> 256 dense layer on a batch of 128 and its gradients.
// Run: npx tsx bench/wasm-matmul.ts [--samples 30]
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { selectBackend } from '../runtime/backend/select.js';
import { registerWasmKernels } from '../runtime/backend/wasm-kernels/index.js';
import { environment, fmt, intOption, timeSteps } from './wasm-timing.js';

const samples = intOption('samples', 30);
const selected = await selectBackend('wasm');
if (E.isLeft(selected)) {
  console.error(selected.left);
  process.exit(1);
}

const [batch, inDim, outDim] = [128, 784, 256];
const x = tf.randomNormal([batch, inDim]);
const w = tf.randomNormal([inDim, outDim]);
const dy = tf.randomNormal([batch, outDim]);
const xT = tf.transpose(x);
const wT = tf.transpose(w);

const products: Array<{ name: string; run: () => tf.Tensor }> = [
  { name: 'x·w          (no transpose)   128x784·784x256', run: () => tf.matMul(x, w) },
  { name: 'x·(wT)ᵀ      transposeB       128x784·784x256', run: () => tf.matMul(x, wT, false, true) },
  { name: 'dy·wᵀ        transposeB (dx)  128x256·256x784', run: () => tf.matMul(dy, w, false, true) },
  { name: 'xᵀ·dy        transposeA (dW)  784x128·128x256', run: () => tf.matMul(x, dy, true, false) },
  { name: '(xT)ᵀ·(wT)ᵀ  both             128x784·784x256', run: () => tf.matMul(xT, wT, true, true) },
  { name: 'x·transpose(wT) by hand       128x784·784x256', run: () => tf.tidy(() => tf.matMul(x, tf.transpose(wT))) },
];

function measure(): number[] {
  return products.map(({ run }) => timeSteps(() => void run().dispose(), 5, samples).medianMs);
}

registerWasmKernels({ transposedMatMul: false });
const before = measure();
registerWasmKernels({ transposedMatMul: true });
const after = measure();

console.log(`wasm matMul, median of ${samples} after 5 warm-up runs (${environment()}; ${selected.right.detail.split(';')[0]})`);
console.log(`${'product'.padEnd(48)} ${'tfjs ms'.padStart(8)} ${'ours ms'.padStart(8)} speed-up`);
products.forEach(({ name }, i) => {
  const b = before[i] ?? Number.NaN;
  const a = after[i] ?? Number.NaN;
  console.log(`${name.padEnd(48)} ${fmt(b)} ${fmt(a)} ${(b / a).toFixed(1).padStart(7)}x`);
});
