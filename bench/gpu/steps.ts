// Training-step timings on one backend, the same work as bench/gpu/torch_steps.py does in PyTorch:
//   mlp    784-256-256-10 ReLU, batch 128, softmax cross-entropy, Adam (as bench/wasm-mlp-step.ts)
//   conv   28x28x1 → conv3x3·32 ReLU → conv3x3·64 stride 2 ReLU → dense 10, batch 128, Adam
//   epoch  one crossreg_noise epoch: its lowered rules (fit every step, gen every 30) for
//          ceil(54000 / 512) = 106 steps on synthetic Fashion-MNIST-shaped batches of 512 (data
//          loading left out: the device has no copy of the data set)
// Every step ends with an asynchronous read of its loss (or of a parameter, for the epoch), so the
// GPU's queue is drained inside the timed region.
//
//   npx tsx bench/gpu/steps.ts [--backend webgpu] [--steps 30] [--warmup 5] [--epochs 3] [--json FILE]
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { releaseOld, disposeState } from '../../compiler/lower/release.js';
import type { RunState } from '../../compiler/lower/types.js';
import { BackendRequest, selectBackend } from '../../runtime/backend/select.js';
import { firingRules } from '../../runtime/exec/member.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { compileFile, syntheticBatches } from '../../test/compiler/program-fixtures.js';
import { numberOption, stringOption } from './options.js';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

type Layer = (x: tf.Tensor) => tf.Tensor;

/** Times `steps` Adam steps of `model` on one fixed batch (after `warmup`), median ms. */
const timeModel = async (build: () => { model: Layer; vars: tf.Variable[] }, input: number[], warmup: number, steps: number): Promise<number> => {
  const { model, vars } = build();
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal(input, 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([input[0] ?? 1], 0, 10, 'int32', 2), 10);
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    const value = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model(x)) as tf.Scalar, true, vars);
    await value?.data();
    value?.dispose();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  optimizer.dispose();
  tf.dispose([x, labels, ...vars]);
  return median(times);
};

const glorot = (shape: number[], fanIn: number, fanOut: number, seed: number): tf.Variable => {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed));
};

const mlp = (): { model: Layer; vars: tf.Variable[] } => {
  const sizes = [784, 256, 256, 10];
  const layers = sizes.slice(1).map((out, i) => ({ w: glorot([sizes[i] ?? 0, out], sizes[i] ?? 0, out, 7 + i), b: tf.variable(tf.zeros([out])) }));
  const model: Layer = (x) =>
    layers.reduce((h, { w, b }, i) => {
      const z = tf.add(tf.matMul(h, w), b);
      return i < layers.length - 1 ? tf.relu(z) : z;
    }, x);
  return { model, vars: layers.flatMap(({ w, b }) => [w, b]) };
};

const conv = (): { model: Layer; vars: tf.Variable[] } => {
  const k1 = glorot([3, 3, 1, 32], 9, 288, 11);
  const b1 = tf.variable(tf.zeros([32]));
  const k2 = glorot([3, 3, 32, 64], 288, 576, 12);
  const b2 = tf.variable(tf.zeros([64]));
  const w = glorot([14 * 14 * 64, 10], 14 * 14 * 64, 10, 13);
  const b = tf.variable(tf.zeros([10]));
  const model: Layer = (x) => {
    const h1 = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'same'), b1));
    const h2 = tf.relu(tf.add(tf.conv2d(h1 as tf.Tensor4D, k2 as tf.Tensor4D, 2, 'same'), b2));
    return tf.add(tf.matMul(tf.reshape(h2, [-1, 14 * 14 * 64]), w), b);
  };
  return { model, vars: [k1, b1, k2, b2, w, b] };
};

/** One crossreg_noise epoch (106 steps of its rules at batch 512), median ms over `epochs`. */
const timeEpoch = async (epochs: number): Promise<number> => {
  const spe = Math.ceil(54000 / 512);
  const ir = compileFile('programs/noise/crossreg_noise.xreg');
  const lw = lowerProgram(ir, standardLibrary, { stepsPerEpoch: spe });
  if (E.isLeft(lw)) throw new Error(lw.left.map((d) => d.message).join('\n'));
  const p = lw.right;
  const batches = syntheticBatches(ir, 512);
  let s: RunState = p.init(3);
  const times: number[] = [];
  // One warm-up epoch: shader compilation and buffer pools stay out of the numbers.
  for (let e = 0; e < epochs + 1; e++) {
    const t0 = performance.now();
    for (let k = 0; k < spe; k++) {
      for (const [i, r] of firingRules(p, s.step, spe).entries()) {
        const next = r.step(s, batches, 1000 * e + 10 * k + i);
        releaseOld(s, next);
        s = next;
      }
      s = { ...s, step: s.step + 1 };
    }
    const any = Object.values(s.params)[0];
    await any?.data();
    if (e > 0) times.push(performance.now() - t0);
  }
  disposeState(s);
  for (const b of Object.values(batches)) for (const t of Object.values(b)) t.dispose();
  return median(times);
};

export interface StepTimes {
  readonly backend: string;
  readonly mlp_ms: number;
  readonly conv_ms: number;
  readonly epoch_ms: number;
}

export const timeSteps = async (backend: BackendRequest, o: { steps: number; warmup: number; epochs: number }): Promise<StepTimes> => {
  const sel = await selectBackend(backend);
  if (E.isLeft(sel)) throw new Error(sel.left);
  console.log(`timing on ${sel.right.detail}`);
  const mlpMs = await timeModel(mlp, [128, 784], o.warmup, o.steps);
  console.log(`mlp step (784-256-256-10, batch 128, Adam): ${mlpMs.toFixed(2)} ms (median of ${o.steps})`);
  const convMs = await timeModel(conv, [128, 28, 28, 1], o.warmup, o.steps);
  console.log(`conv step (2 conv + dense, batch 128, Adam): ${convMs.toFixed(2)} ms (median of ${o.steps})`);
  const epochMs = o.epochs > 0 ? await timeEpoch(o.epochs) : Number.NaN;
  console.log(`crossreg_noise epoch (106 steps, batch 512): ${epochMs.toFixed(0)} ms (median of ${o.epochs})`);
  return { backend: sel.right.detail, mlp_ms: mlpMs, conv_ms: convMs, epoch_ms: epochMs };
};

if (process.argv[1]?.endsWith('steps.ts') === true) {
  const backend = BackendRequest.decode(stringOption('backend') ?? 'webgpu');
  if (E.isLeft(backend)) throw new Error(`--backend: one of ${Object.keys(BackendRequest.keys).join(', ')}`);
  const r = await timeSteps(backend.right, { steps: numberOption('steps', 30), warmup: numberOption('warmup', 5), epochs: numberOption('epochs', 3) });
  const json = stringOption('json');
  if (json !== undefined) writeFileSync(json, JSON.stringify(r));
}
