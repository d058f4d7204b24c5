// Learned augmentation, translate → rotate → shear on a [128, 28, 28, 1] batch: forward, and
// forward + backward with gradients in the three magnitudes only, and in the magnitudes plus the
// weights of a following dense layer (784 → 10, softmax cross-entropy). Times the stdlib layers
// ("now") against the implementation before the single-pass sampling ("before", bench/augment-legacy.ts)
// in the same process, on wasm (with xreg's kernels) and cpu; "without augmentation" is the same
// step with the pipeline left out (the floor: loss and dense layer alone).
// Run: npx tsx bench/augment-step.ts [--runs 10] [--warmup 2] [--cpu-runs 3] [--only wasm|cpu] [--no-before] [--profile]
// (--no-before skips the old implementation, which takes minutes per step on cpu.)
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { selectBackend } from '../runtime/backend/select.js';
import { layers } from '../stdlib/layers/index.js';
import type { LayerDef } from '../stdlib/types.js';
import { legacyRotate, legacyShear, legacyTranslate } from './augment-legacy.js';
import { environment, fmt, intOption, timeSteps, type Timing } from './wasm-timing.js';

const runs = intOption('runs', 10);
const warmup = intOption('warmup', 2);
const cpuRuns = intOption('cpu-runs', 3);
const profile = process.argv.includes('--profile');
const only = process.argv[process.argv.indexOf('--only') + 1];
const [B, H, W] = [128, 28, 28];

const layer = (name: string): LayerDef => {
  const l = layers.find((x) => x.name === name);
  if (l === undefined) throw new Error(`no layer ${name}`);
  return l;
};

/** An augmentation pipeline: magnitudes (translate, rotate, shear), images, first seed. */
type Pipeline = (m: readonly tf.Tensor[], x: tf.Tensor, seed: number) => tf.Tensor;

const stdlibPipeline: Pipeline = (m, x, seed) => {
  let s = seed;
  const ctx = { stochastic: true, nextSeed: () => s++ };
  return ['translate', 'rotate', 'shear'].reduce(
    (h, name, i) => layer(name).apply({ magnitude: m[i] ?? tf.scalar(0) }, h, {}, ctx),
    x,
  );
};

const legacyPipeline: Pipeline = (m, x, seed) =>
  [legacyTranslate, legacyRotate, legacyShear].reduce((h, f, i) => f(m[i] ?? tf.scalar(0), h, seed + i), x);

/** No augmentation: what the loss and the dense layer cost on their own. */
const nonePipeline: Pipeline = (_m, x) => x;

interface Row {
  readonly forward: Timing;
  /** Absent without augmentation (no magnitude to differentiate). */
  readonly magnitudes?: Timing;
  readonly withDense: Timing;
}

function timePipeline(pipeline: Pipeline, n: number, augmented = true): Row {
  const mags = [2, 15, 0.2].map((v) => tf.variable(tf.scalar(v)));
  const w = tf.variable(tf.randomNormal([H * W, 10], 0, 0.05, 'float32', 3));
  // A smooth-ish image (sums of sines) so interpolation has something to move.
  const x = tf.tidy(() => {
    const r = tf.reshape(tf.range(0, H), [1, H, 1, 1]);
    const c = tf.reshape(tf.range(0, W), [1, 1, W, 1]);
    const n0 = tf.reshape(tf.range(0, B), [B, 1, 1, 1]);
    return tf.relu(tf.sin(tf.add(tf.add(tf.mul(r, 0.4), tf.mul(c, 0.3)), tf.mul(n0, 0.7))));
  });
  const labels = tf.oneHot(tf.randomUniform([B], 0, 10, 'int32', 2), 10);
  let seed = 1;
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const y = pipeline(mags, x, (seed += 3));
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.reshape(y, [B, H * W]), w)) as tf.Scalar;
    });
  const forward = (): void => {
    const v = loss();
    v.dataSync();
    v.dispose();
  };
  const backward = (vars: tf.Variable[]) => (): void => {
    const { value, grads } = tf.variableGrads(loss, vars);
    for (const g of Object.values(grads)) g.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const row: Row = {
    forward: timeSteps(forward, warmup, n),
    ...(augmented ? { magnitudes: timeSteps(backward(mags), warmup, n) } : {}),
    withDense: timeSteps(backward(augmented ? [...mags, w] : [w]), warmup, n),
  };
  tf.dispose([...mags, w, x, labels]);
  return row;
}

async function profileStep(name: string, pipeline: Pipeline): Promise<void> {
  const mags = [2, 15, 0.2].map((v) => tf.variable(tf.scalar(v)));
  const x = tf.randomUniform([B, H, W, 1], 0, 1, 'float32', 5);
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(pipeline(mags, x, 7))) as tf.Scalar, mags);
    for (const g of Object.values(grads)) g.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  const byKernel = new Map<string, { n: number; ms: number }>();
  for (const k of info.kernels) {
    const e = byKernel.get(k.name) ?? { n: 0, ms: 0 };
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, { n: e.n + 1, ms: e.ms + ms });
  }
  const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
  console.log(`profile (${name}, fwd+bwd in magnitudes, ${info.kernels.length} kernels): ` +
    top.map(([k, { n, ms }]) => `${k}×${n} ${ms.toFixed(1)}`).join(', '));
  tf.dispose([...mags, x]);
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function report(backend: string, n: number): void {
  const now = timePipeline(stdlibPipeline, n);
  const before = process.argv.includes('--no-before') ? undefined : timePipeline(legacyPipeline, n);
  const none = timePipeline(nonePipeline, n, false);
  const line = (what: string, pick: (r: Row) => Timing | undefined): string => {
    const [a, b] = [(before === undefined ? undefined : pick(before))?.medianMs ?? NaN, pick(now)?.medianMs ?? NaN];
    const floor = pick(none);
    const [ta, ratio] = Number.isNaN(a) ? ['–', '–'] : [fmt(a), `${(a / b).toFixed(1)}x`];
    return `| ${backend} | ${what} | ${ta} | ${fmt(b)} | ${ratio} | ${floor === undefined ? '–' : fmt(floor.medianMs)} |`;
  };
  console.log(line('forward', (r) => r.forward));
  console.log(line('fwd+bwd, ∇ magnitudes', (r) => r.magnitudes));
  console.log(line('fwd+bwd, ∇ magnitudes + dense w', (r) => r.withDense));
}

console.log(`${environment()}; batch [${B}, ${H}, ${W}, 1]; median of ${runs} (wasm) / ${cpuRuns} (cpu) after ${warmup} warm-up; load ${loadavg()}`);
console.log('| backend | step | before ms | now ms | speed-up | without augmentation ms |');
console.log('|---|---|---:|---:|---:|---:|');
for (const [backend, n] of [['wasm', runs], ['cpu', cpuRuns]] as const) {
  if (process.argv.includes('--only') && only !== backend) continue;
  const selected = await selectBackend(backend);
  if (E.isLeft(selected)) {
    console.error(selected.left);
    process.exit(1);
  }
  report(backend, n);
  if (profile) {
    await profileStep(`${backend} now`, stdlibPipeline);
    await profileStep(`${backend} before`, legacyPipeline);
  }
}
console.log(`load after: ${loadavg()}`);
