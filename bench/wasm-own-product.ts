// Our own SIMD kernels on the wasm heap against the library paths they replace: the product
// (runtime/backend/wasm-kernels/own-mat-mul.ts, outer-gemm.ts; the XNNPACK path transposes first and
// packs its right operand whenever that operand is new), and for the conv step also the max-pool
// gradient, the sum over leading axes and the one-pass filter gradient. Times the MLP's products as
// a training step meets them (the right operand new on each call), the whole MLP step and a conv
// step (conv 3×3×32, ReLU, max pool 2, dense 10, batch 128), the two settings alternating in blocks
// so that load changes hit both alike; prints the load average before and after.
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
// The conv step of bench/peers, written out (tfjs's own Adam on both sides).
const conv = (() => {
  const w = tf.variable(tf.randomNormal([3, 3, 1, 32], 0, 0.3, 'float32', 7));
  const bias = tf.variable(tf.zeros([32]));
  const dense = tf.variable(tf.randomNormal([32 * 14 * 14, 10], 0, 0.02, 'float32', 8));
  const images = tf.randomNormal([128, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32', 10), 10);
  const opt = tf.train.adam(1e-3);
  const step = (): void => {
    const cost = opt.minimize(() => {
      const h = tf.maxPool(tf.relu(tf.add(tf.conv2d(images, w as tf.Tensor4D, 1, 'same'), bias)) as tf.Tensor4D, 2, 2, 'valid');
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.reshape(h, [128, 32 * 14 * 14]), dense)) as tf.Scalar;
    }, true);
    cost?.dataSync();
    cost?.dispose();
  };
  return { step, dispose: () => tf.dispose([w, bias, dense, images, labels]) };
})();
const work: Record<string, () => void> = {
  'x·W1 128x784·784x256 (forward)': fresh(x, w1, false, false),
  'xᵀ·dy 784x128·128x256 (dW1)': fresh(x, dy1, true, false),
  'dy·W2ᵀ 128x256·(256x256)ᵀ (dx)': fresh(dy2, w2, false, true),
  'hᵀ·dy 256x128·128x256 (dW2)': fresh(h, dy2, true, false),
  'MLP step 784-256-256-10, batch 128': mlp.step,
  'conv step (3x3x32, max pool 2, dense 10), batch 128': conv.step,
};
const times = new Map<string, { own: number[]; library: number[] }>(Object.keys(work).map((k) => [k, { own: [], library: [] }]));
for (let b = 0; b < blocks; b++) {
  for (const own of b % 2 === 0 ? [true, false] : [false, true]) {
    registerWasmKernels({ ownProduct: own, ownPoolGrad: own, ownSum: own, ownFilterGrad: own, sharedIdentity: own });
    for (const [name, f] of Object.entries(work)) times.get(name)?.[own ? 'own' : 'library'].push(timeSteps(f, 2, perBlock).medianMs);
  }
}
registerWasmKernels();
mlp.dispose();
conv.dispose();
tf.dispose([x, w1, dy1, h, w2, dy2]);

console.log(`wasm, ${blocks} alternating blocks of ${perBlock} (median of block medians, ms; ${environment()}); load average ${loadBefore} before, ${load()} after`);
console.log(`| what | library path | ours | speed-up |\n|---|---:|---:|---:|`);
for (const [name, t] of times) {
  const [l, o] = [median(t.library), median(t.own)];
  console.log(`| ${name} | ${fmt(l)} | ${fmt(o)} | ${(l / o).toFixed(2)}x |`);
}
