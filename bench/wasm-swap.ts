// Transposed products on wasm: swapping the operands where that copies less
// (runtime/backend/wasm-kernels/transposed-mat-mul.ts) against always transposing
// first. Times dy·W2ᵀ (the product that swaps in the MLP) and the MLP step, the two
// settings alternating in blocks so that load changes hit both alike, and prints
// the load average before and after.
// Run: npx tsx bench/wasm-swap.ts [--blocks 8] [--per-block 5]
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../runtime/backend/wasm-kernels/index.js';
import { mlpStep } from './mlp-step.js';
import { environment, fmt, intOption, loadAverage, median, requireWasm, timeSteps } from './wasm-timing.js';

const blocks = intOption('blocks', 8);
const perBlock = intOption('per-block', 5);
await requireWasm();
const load = loadAverage;
const loadBefore = load();

const dy = tf.randomNormal([128, 256], 0, 1, 'float32', 3);
const w2 = tf.randomNormal([256, 256], 0, 1, 'float32', 4);
const mlp = mlpStep();
const work: Record<string, () => void> = {
  'dy·W2ᵀ 128x256·(256x256)ᵀ': () => void tf.matMul(dy, w2, false, true).dispose(),
  'MLP step 784-256-256-10, batch 128': mlp.step,
};
const times = new Map<string, { swap: number[]; first: number[] }>(Object.keys(work).map((k) => [k, { swap: [], first: [] }]));
for (let b = 0; b < blocks; b++) {
  for (const swap of b % 2 === 0 ? [true, false] : [false, true]) {
    registerWasmKernels({ transposedMatMul: true, swapOperands: swap });
    for (const [name, f] of Object.entries(work)) {
      // One warm-up per block: the kernel registration changed.
      const t = timeSteps(f, 1, perBlock);
      times.get(name)?.[swap ? 'swap' : 'first'].push(t.medianMs);
    }
  }
}
registerWasmKernels({ transposedMatMul: true, swapOperands: false });
mlp.dispose();
tf.dispose([dy, w2]);

console.log(`wasm, ${blocks} alternating blocks of ${perBlock} (median of block medians, ms; ${environment()}); load average ${loadBefore} before, ${load()} after`);
console.log(`${'what'.padEnd(40)} ${'transpose first'.padStart(16)} ${'swap operands'.padStart(14)}  ratio`);
for (const [name, t] of times) {
  const [f, s] = [median(t.first), median(t.swap)];
  console.log(`${name.padEnd(40)} ${fmt(f).padStart(16)} ${fmt(s).padStart(14)}  ${(f / s).toFixed(3)}`);
}
