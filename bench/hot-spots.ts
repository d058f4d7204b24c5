/**
 * Before/after of the hot spots of issue 10, interleaved in one process:
 * `npx tsx bench/hot-spots.ts [--samples 30]`. On the wasm backend (as `xreg run`):
 *
 * - batches: one step's batches of a cross-phase rule, two streams alternating (train and reg, each
 *   with its own seed; 300 examples of 10 features, batch 32). "before" is the code as it was: one
 *   cached epoch order shared by all streams (so each alternation reshuffled the split) and one
 *   `subarray` view per example; "after" is runtime/data (an order per stream, a gather).
 * - noise: the ε of a `noise` layer on a [128, 256] activation: tfjs `randomNormal` (before) against
 *   stdlib/random/gaussian.ts (after), both ending in a tensor on the backend.
 *
 * - Adam: one update of the MLP's parameters (784-256-256-10, 269,322 values): the 13 tensor
 *   operations per parameter as before (kept below), against stdlib/optimizers/adam.ts (one fused
 *   kernel per parameter on cpu and wasm); and on wasm the fused kernel's two bodies, its float32
 *   JavaScript loop against our SIMD function (stdlib/optimizers/adam-f32.ts).
 *
 * Prints medians (ms) of `--samples` runs after 5 warm-up runs, the ratio, and the load average.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { loadavg } from 'node:os';
import { selectBackend } from '../runtime/backend/select.js';
import { advance, makeBatch, startCursor, type Cursor } from '../runtime/data/index.js';
import { epochOrder } from '../runtime/data/batch.js';
import { exampleSize } from '../stdlib/data/dataset.js';
import { gaussianFill } from '../stdlib/random/gaussian.js';
import { adam } from '../stdlib/optimizers/index.js';
import { wasmAdam } from '../stdlib/optimizers/adam-fused.js';
import { adamF32, scalarOrder, type AdamScalars } from '../stdlib/optimizers/adam-f32.js';
import { floatsOf, offsetOf, type WasmHeapBackend } from '../stdlib/wasm/heap.js';
import type { Dataset } from '../stdlib/types.js';
import { fmt, intOption, timeSteps } from './wasm-timing.js';

const samples = intOption('samples', 30);
const backend = await selectBackend('wasm');
if (E.isLeft(backend)) throw new Error(backend.left);

const n = 300;
const features = 10;
const batch = 32;
const split = (seed: number): Dataset => ({
  size: n,
  fields: {
    x: { shape: [features], dtype: 'float32', data: gaussianFill(n * features, seed) },
    y: { shape: [1], dtype: 'float32', data: gaussianFill(n, seed + 1) },
  },
} as unknown as Dataset);
const train = split(1);
const reg = split(2);

// The code before issue 10, kept here as the reference.
let oldCached: { n: number; seed: number; epoch: number; order: Int32Array } | undefined;
const oldAdvance = (cursor: Cursor, size: number, seed: number): { cursor: Cursor; indices: Int32Array } => {
  const fresh = cursor.position >= size;
  const epoch = fresh ? cursor.epoch + 1 : cursor.epoch;
  const start = fresh ? 0 : cursor.position;
  const end = Math.min(size, start + batch);
  if (oldCached === undefined || oldCached.n !== size || oldCached.seed !== seed || oldCached.epoch !== epoch) {
    oldCached = { n: size, seed, epoch, order: epochOrder(size, seed, epoch) };
  }
  const indices = oldCached.order.slice(start, end);
  return { cursor: end >= size ? { epoch: epoch + 1, position: 0 } : { epoch, position: end }, indices };
};
const oldMakeBatch = (ds: Dataset, indices: Int32Array): tf.Tensor[] =>
  Object.values(ds.fields).map((f) => {
    const k = exampleSize(f.shape);
    const data = new Float32Array(indices.length * k);
    for (let i = 0; i < indices.length; i++) {
      const src = (indices[i] as number) * k;
      data.set(f.data.subarray(src, src + k), i * k);
    }
    return tf.tensor(data, [indices.length, ...f.shape], 'float32');
  });

let before = { train: startCursor, reg: startCursor };
let after = { train: startCursor, reg: startCursor };
const stepBefore = (): void => {
  const a = oldAdvance(before.train, n, 11);
  const b = oldAdvance(before.reg, n, 22);
  before = { train: a.cursor, reg: b.cursor };
  for (const t of [...oldMakeBatch(train, a.indices), ...oldMakeBatch(reg, b.indices)]) t.dispose();
};
const stepAfter = (): void => {
  const a = advance(after.train, batch, n, 11);
  const b = advance(after.reg, batch, n, 22);
  after = { train: a.cursor, reg: b.cursor };
  for (const t of [...Object.values(makeBatch(train, a.indices)), ...Object.values(makeBatch(reg, b.indices))]) t.dispose();
};

const shape: [number, number] = [128, 256];
let seed = 0;
const noiseBefore = (): void => tf.randomNormal(shape, 0, 1, 'float32', seed++).dispose();
const noiseAfter = (): void => tf.tensor(gaussianFill(shape[0] * shape[1], seed++), shape, 'float32').dispose();

// Interleaved: each pair runs its two sides in alternating blocks of 5, so load changes hit both.
const pair = (name: string, b: () => void, a: () => void): void => {
  const tb: number[] = [];
  const ta: number[] = [];
  for (let round = 0; round < samples / 5; round++) {
    tb.push(timeSteps(b, round === 0 ? 5 : 0, 5).medianMs);
    ta.push(timeSteps(a, round === 0 ? 5 : 0, 5).medianMs);
  }
  const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
  console.log(`| ${name} | ${fmt(med(tb))} | ${fmt(med(ta))} | ${(med(tb) / med(ta)).toFixed(2)}× |`);
};

// Adam before: the op-by-op update of adam.ts as it was (beta 0.9/0.999, eps 1e-8, no decay).
const shapes = [[784, 256], [256], [256, 256], [256], [256, 10], [10]];
const ps = shapes.map((sh, i) => tf.randomNormal(sh, 0, 0.1, 'float32', i));
const gs = shapes.map((sh, i) => tf.randomNormal(sh, 0, 0.1, 'float32', 10 + i));
const state0 = adam.init(ps, { lr: 1e-3 });
const adamBefore = (): void => {
  const out = tf.tidy(() =>
    ps.map((p, i) => {
      const m0 = state0.slots['exp_avg']?.[i] ?? p;
      const v0 = state0.slots['exp_avg_sq']?.[i] ?? p;
      const g = gs[i] ?? p;
      const m = tf.add(tf.mul(m0, 0.9), tf.mul(g, 0.1));
      const v = tf.add(tf.mul(v0, 0.999), tf.mul(tf.square(g), 0.001));
      const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(0.001)), 1e-8);
      return [tf.sub(p, tf.mul(tf.div(m, denom), 1e-2)), m, v];
    }),
  );
  out.flat()[0]?.dataSync();
  for (const t of out.flat()) t.dispose();
};
const adamAfter = (): void => {
  const r = adam.step(ps, gs, state0, 1e-3, { lr: 1e-3 });
  r.params[0]?.dataSync();
  for (const t of [...r.params, ...Object.values(r.state.slots).flat()]) t.dispose();
};

// The fused update's two bodies on the wasm heap: the float32 JavaScript loop (what ran before the
// SIMD function; the cpu backend's path) against our SIMD function, same outputs bit for bit.
const heap = tf.backend() as unknown as WasmHeapBackend & { disposeData: (id: object) => void };
const simd = wasmAdam(heap);
const scalars: AdamScalars = { b1: 0.9, ob1: 0.1, b2: 0.999, ob2: 1 - 0.999, eps: 1e-8, stepSize: 1e-2, bc2Sqrt: Math.sqrt(0.001), coupled: 0, shrink: 1 };
const fusedBody = (useSimd: boolean) => (): void => {
  ps.forEach((p, i) => {
    const [g, m, v] = [gs[i] ?? p, state0.slots['exp_avg']?.[i] ?? p, state0.slots['exp_avg_sq']?.[i] ?? p];
    const out = [0, 1, 2].map(() => heap.makeOutput(p.shape, 'float32'));
    if (useSimd && simd !== undefined) simd(...[p, g, m, v, ...out].map((t) => offsetOf(heap, t)), p.size, ...scalarOrder.map((k) => scalars[k]));
    else {
      const [P, M, V] = out.map((t) => floatsOf(heap, t)) as [Float32Array, Float32Array, Float32Array];
      adamF32(scalars, floatsOf(heap, p), floatsOf(heap, g), floatsOf(heap, m), floatsOf(heap, v), P, M, V);
    }
    out.forEach((t) => heap.disposeData(t.dataId));
  });
};

console.log(`backend ${tf.getBackend()}, node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| hot spot | before ms | after ms | speed-up |');
console.log('|---|---:|---:|---:|');
pair('batches of two alternating streams (300×10, batch 32)', stepBefore, stepAfter);
pair('noise ε for a [128, 256] activation', noiseBefore, noiseAfter);
pair('Adam update of the MLP (269,322 values)', adamBefore, adamAfter);
if (tf.getBackend() === 'wasm') pair('fused Adam: float32 JavaScript loop → our SIMD function', fusedBody(false), fusedBody(true));
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
