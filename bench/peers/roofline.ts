/**
 * Why the MLP step cannot reach PyTorch's speed on WebAssembly: `npx tsx bench/peers/roofline.ts`.
 * Measures, on this machine, in GFLOP/s (one thread unless said):
 * - the peak of WebAssembly SIMD (128-bit: 4 floats per instruction, no fused multiply-add):
 *   a loop of our own (stdlib/wasm/assemble.ts) doing nothing but independent f32x4 multiplies and
 *   adds held in registers, an upper bound for any wasm kernel;
 * - the product on the MLP's largest shape and a large one: XNNPACK's (tfjs-backend-wasm's) and ours
 *   (runtime/backend/wasm-kernels/outer-gemm.ts, what xreg runs there);
 * - PyTorch's `torch.mm` on the same products at 1 and 2 threads (bench/peers/torch_mm.py).
 * With the MLP step's floating-point work (its 8 products) it prints the least time a step can take
 * at the wasm peak against PyTorch's measured step, the bound behind bench/README.md's reading.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { selectBackend } from '../../runtime/backend/select.js';
import { registerWasmKernels } from '../../runtime/backend/wasm-kernels/index.js';
import { assemble, I, type Code } from '../../stdlib/wasm/assemble.js';
import { loadAverage, median } from '../wasm-timing.js';

const load = loadAverage;

// 12 independent chains a ← a·x + y (24 SIMD operations of 4 floats per iteration, 14 registers).
const CHAINS = 12;
const peakFunction = () => {
  const [N, IX, X, Y] = [0, 1, 2, 3];
  const acc = (j: number): number => 4 + j;
  const step: Code[] = Array.from({ length: CHAINS }, (_, j) => [I.get(acc(j)), I.get(X), I.f32x4Mul, I.get(Y), I.f32x4Add, I.set(acc(j))]).flat();
  const sum: Code[] = [I.get(acc(0)), ...Array.from({ length: CHAINS - 1 }, (_, j) => [I.get(acc(j + 1)), I.f32x4Add]).flat()];
  return {
    name: 'peak',
    params: ['i32'] as const,
    results: ['f32'] as const,
    locals: ['i32', 'v128', 'v128', ...Array<'v128'>(CHAINS).fill('v128')] as const,
    body: [
      [0x43, ...new Uint8Array(Float32Array.of(0.999).buffer)], I.f32x4Splat, I.set(X),
      [0x43, ...new Uint8Array(Float32Array.of(1e-3).buffer)], I.f32x4Splat, I.set(Y),
      I.block, I.loop, I.get(IX), I.get(N), I.i32GeU, I.brIf(1), ...step, I.get(IX), I.i32(1), I.i32Add, I.set(IX), I.br(0), I.end, I.end,
      ...sum, [0xfd, 0x1f, 0x00] /* f32x4.extract_lane 0 */,
    ],
  };
};

const wasmPeak = (): number => {
  const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => object; Instance: new (m: object, i: object) => { exports: Record<string, (n: number) => number> }; Module: new (b: Uint8Array) => object } }).WebAssembly;
  const inst = new api.Instance(new api.Module(assemble({ module: 'env', name: 'memory', shared: false }, [peakFunction()])), { env: { memory: new api.Memory({ initial: 1 }) } });
  const f = inst.exports['peak'] as (n: number) => number;
  const n = 2_000_000;
  f(n / 10);
  const ts = Array.from({ length: 7 }, () => {
    const t = performance.now();
    f(n);
    return performance.now() - t;
  });
  return (n * CHAINS * 2 * 4) / median(ts) / 1e6;
};

/** GFLOP/s of tf.matMul on [m, k]·[k, n] with our product on (ours) or off (XNNPACK's). */
const product = (m: number, k: number, n: number, ours: boolean): number => {
  registerWasmKernels({ ownProduct: ours });
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  for (let i = 0; i < 5; i++) tf.matMul(a, b).dispose();
  const ts = Array.from({ length: 30 }, () => {
    const t = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    return performance.now() - t;
  });
  tf.dispose([a, b]);
  return (2 * m * k * n) / median(ts) / 1e6;
};

const torch = (m: number, k: number, n: number, threads: number): number | string => {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, [path.join(import.meta.dirname, 'torch_mm.py'), String(m), String(k), String(n), String(threads), '50'], { encoding: 'utf8' });
    const out = (r.stdout ?? '').trim();
    if (r.status === 0 && out !== '' && !out.startsWith('skip:')) return Number(out);
  }
  return 'skipped (no PyTorch)';
};

const fmt = (x: number | string): string => (typeof x === 'number' ? x.toFixed(1) : x);
const before = load();
const chosen = await selectBackend('wasm');
if (chosen._tag === 'Left') throw new Error(chosen.left);
const peak = wasmPeak();
const shapes: [string, number, number, number][] = [
  ['MLP 128x784·784x256', 128, 784, 256],
  ['large 512x784·784x256', 512, 784, 256],
];
console.log(`roofline on ${chosen.right.detail.split(';')[0]}; load average ${before}`);
console.log(`wasm SIMD peak (independent f32x4 mul + add, one thread): ${peak.toFixed(1)} GFLOP/s`);
console.log('| product | XNNPACK (wasm, 1 thread) | ours (wasm, 1 thread) | PyTorch 1 thread | PyTorch 2 threads |');
console.log('|---|---:|---:|---:|---:|');
const rows = shapes.map(([name, m, k, n]) => {
  const row = [product(m, k, n, false), product(m, k, n, true), torch(m, k, n, 1), torch(m, k, n, 2)] as const;
  console.log(`| ${name} | ${row.map(fmt).join(' | ')} |`);
  return row;
});
// The MLP step's products: 3 forward, 3 weight gradients, 2 input gradients (the first layer's is not needed).
const dims: [number, number][] = [[784, 256], [256, 256], [256, 10]];
const flops = 2 * 128 * (3 * dims.reduce((s, [k, n]) => s + k * n, 0) - 784 * 256);
console.log(`\nMLP step (784-256-256-10, batch 128): ${(flops / 1e6).toFixed(0)} MFLOP in its products`);
console.log(`least time for them at the wasm peak: ${(flops / peak / 1e6).toFixed(2)} ms on 1 thread, ${(flops / peak / 2e6).toFixed(2)} ms on 2`);
const mlp = rows[0];
if (mlp !== undefined && typeof mlp[2] === 'number') console.log(`PyTorch's product runs at ${(mlp[2] / peak).toFixed(2)}x the wasm peak on one thread (XNNPACK at ${(mlp[0] / peak).toFixed(2)}x, ours at ${(mlp[1] / peak).toFixed(2)}x)`);
console.log(`load average after: ${load()}`);
