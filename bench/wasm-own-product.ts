// Our own SIMD product (runtime/backend/wasm-kernels/own-mat-mul.ts, outer-gemm.ts) against the
// XNNPACK path it replaces (transpose first, then tfjs-backend-wasm's product, which packs its
// right operand whenever that operand is new). Times the MLP's products as a training step meets
// them (the right operand new on each call) and the whole MLP step, the two settings alternating
// in blocks so that load changes hit both alike; prints the load average before and after.
// Run: npx tsx bench/wasm-own-product.ts [--blocks 8] [--per-block 10]
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../runtime/backend/wasm-kernels/index.js';
import { mlpStep } from './mlp-step.js';
import { environment, fmt, intOption, loadAverage, median, requireWasm, timeSteps } from './wasm-timing.js';

const blocks = intOption('blocks', 8);
const perBlock = intOption('per-block', 10);
await requireWasm();
const load = loadAverage;
const loadBefore = load();

const r = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
const [x, w1, dy1, h, w2, dy2] = [r([128, 784], 1), r([784, 256], 2), r([128, 256], 3), r([128, 256], 4), r([256, 256], 5), r([128, 256], 6)];
/** The product with a right operand made just before it (as in a step), its copy's cost not counted apart. */
const fresh = (a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean) => (): void => {
  const b2 = tf.clone(b);
  const c = tf.matMul(a, b2, ta, tb);
  c.dataSync();
  tf.dispose([b2, c]);
};
const mlp = mlpStep();
const work: Record<string, () => void> = {
  'x·W1 128x784·784x256 (forward)': fresh(x, w1, false, false),
  'xᵀ·dy 784x128·128x256 (dW1)': fresh(x, dy1, true, false),
  'dy·W2ᵀ 128x256·(256x256)ᵀ (dx)': fresh(dy2, w2, false, true),
  'hᵀ·dy 256x128·128x256 (dW2)': fresh(h, dy2, true, false),
  'MLP step 784-256-256-10, batch 128': mlp.step,
};
const times = new Map<string, { own: number[]; library: number[] }>(Object.keys(work).map((k) => [k, { own: [], library: [] }]));
for (let b = 0; b < blocks; b++) {
  for (const own of b % 2 === 0 ? [true, false] : [false, true]) {
    registerWasmKernels({ ownProduct: own });
    for (const [name, f] of Object.entries(work)) times.get(name)?.[own ? 'own' : 'library'].push(timeSteps(f, 2, perBlock).medianMs);
  }
}
registerWasmKernels();
mlp.dispose();
tf.dispose([x, w1, dy1, h, w2, dy2]);

console.log(`wasm, ${blocks} alternating blocks of ${perBlock} (median of block medians, ms; ${environment()}); load average ${loadBefore} before, ${load()} after`);
console.log(`| what | XNNPACK path | our product | speed-up |\n|---|---:|---:|---:|`);
for (const [name, t] of times) {
  const [l, o] = [median(t.library), median(t.own)];
  console.log(`| ${name} | ${fmt(l)} | ${fmt(o)} | ${(l / o).toFixed(2)}x |`);
}
