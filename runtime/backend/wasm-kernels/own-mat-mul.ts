/**
 * BatchMatMul by our own SIMD product (outer-gemm.ts) where its plan applies; otherwise the wrapped
 * kernel. With the threaded binary (XREG_WASM_THREADS=N) the rows of C are split over N threads of
 * ours (stdlib/wasm/workers.ts) on the shared heap; each output is computed as on one thread, so
 * the bits do not depend on N. Measured in bench/README.md ("our own SIMD kernels").
 */
import * as tf from '@tensorflow/tfjs-core';
import { isWasmHeapBackend, kernelsOn, offsetOf, splitPool } from '../../../stdlib/wasm/heap.js';
import type { Job } from '../../../stdlib/wasm/workers.js';
import { gemmPlan, gemmWasm, TILE_M, type GemmPlan } from './outer-gemm.js';
import { composed, replacing } from './wasm-ops.js';

type Gemm = (pa: number, pb: number, pc: number, K: number, M: number, N: number, smBytes: number, skBytes: number) => void;

/** Below this many multiply-adds a product is not split: waking a worker costs more than it saves. */
const SPLIT_WORK = 1 << 20;

/** The kernel's arguments for rows [i0, i1) of C. */
const rowsOf = (plan: GemmPlan, pa: number, pb: number, pc: number, i0: number, i1: number): number[] => [
  pa + i0 * plan.sm * 4, pb, pc + i0 * plan.N * 4, plan.K, Math.max(0, i1 - i0), plan.N, plan.sm * 4, plan.sk * 4,
];

/** Chunks per thread a product is cut into: enough that a late worker leaves little to wait for. */
const CHUNKS_PER_THREAD = 8;

/**
 * The pool's job for C's rows: chunks of whole 4-row tiles, about CHUNKS_PER_THREAD per thread,
 * chunk k covering rows [k·R, min(M, (k + 1)·R)).
 */
export const rowChunks = (plan: GemmPlan, pa: number, pb: number, pc: number, threads: number): Job => {
  const tiles = Math.ceil(plan.M / TILE_M);
  const rows = Math.ceil(tiles / (threads * CHUNKS_PER_THREAD)) * TILE_M;
  return {
    chunks: Math.ceil(plan.M / rows),
    base: rowsOf(plan, pa, pb, pc, 0, rows),
    step: [rows * plan.sm * 4, 0, rows * plan.N * 4, 0, 0, 0, 0, 0],
    count: { at: 4, step: rows, total: plan.M },
  };
};

/** `used`: told each time our product runs and on how many threads (tests and benches observe which path ran). */
export function withOwnProduct(fallback: tf.KernelConfig, used?: (plan: GemmPlan, threads: number) => void): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    const plan = a !== undefined && b !== undefined && a.dtype === 'float32' && b.dtype === 'float32' ? gemmPlan(a.shape, b.shape, transposeA, transposeB) : undefined;
    const gemm = plan !== undefined && isWasmHeapBackend(backend) ? (kernelsOn(backend, 'gemm', () => [gemmWasm()])?.['gemm'] as Gemm | undefined) : undefined;
    const transposable = plan?.transposeB !== true || tf.getKernel('Transpose', 'wasm') !== undefined;
    if (plan === undefined || gemm === undefined || a === undefined || b === undefined || !transposable || !isWasmHeapBackend(backend)) return fallback.kernelFunc(args);
    // B transposed first where op(B) = Bᵀ: an intermediate the scratch area frees.
    return composed(backend, (s) => {
      const rhs = plan.transposeB ? s.transposeLastTwo(b) : b;
      const c = s.own(backend.makeOutput(plan.outShape, 'float32'));
      const [pa, pb, pc] = [offsetOf(backend, a), offsetOf(backend, rhs), offsetOf(backend, c)];
      const pool = splitPool(backend, 'gemm', gemmWasm, plan.M * plan.N * plan.K >= SPLIT_WORK);
      used?.(plan, pool?.threads ?? 1);
      if (pool !== undefined) pool.run(rowChunks(plan, pa, pb, pc, pool.threads));
      else gemm(pa, pb, pc, plan.K, plan.M, plan.N, plan.sm * 4, plan.sk * 4);
      return c;
    });
  };
  return replacing(fallback, kernelFunc);
}
