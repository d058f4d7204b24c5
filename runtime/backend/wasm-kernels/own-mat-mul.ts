/**
 * BatchMatMul by our own SIMD product (outer-gemm.ts) where its plan applies, on a backend running
 * one thread (with XNNPACK's thread pool the library's product is split over cores and ours is
 * not); otherwise the wrapped kernel. Measured in bench/README.md ("our own product").
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { isWasmHeapBackend, kernelsOn, offsetOf } from '../../../stdlib/wasm/heap.js';
import { gemmPlan, gemmWasm, type GemmPlan } from './outer-gemm.js';
import { asWasm } from './wasm-ops.js';

type Gemm = (pa: number, pb: number, pc: number, K: number, M: number, N: number, smBytes: number, skBytes: number) => void;

const swapLastTwo = (rank: number): number[] => {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
};

const oneThread = (): boolean => {
  try {
    return getThreadsCount() === 1;
  } catch {
    return false;
  }
};

/** `used`: told each time our product runs (tests and benches observe which path ran). */
export function withOwnProduct(fallback: tf.KernelConfig, used?: (plan: GemmPlan) => void): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    const plan = a !== undefined && b !== undefined && a.dtype === 'float32' && b.dtype === 'float32' ? gemmPlan(a.shape, b.shape, transposeA, transposeB) : undefined;
    const gemm = plan !== undefined && isWasmHeapBackend(backend) && oneThread() ? (kernelsOn(backend, 'gemm', () => [gemmWasm()])?.['gemm'] as Gemm | undefined) : undefined;
    const transposeConfig = tf.getKernel('Transpose', 'wasm');
    if (plan === undefined || gemm === undefined || a === undefined || b === undefined || transposeConfig === undefined || !isWasmHeapBackend(backend)) return fallback.kernelFunc(args);
    const wasm = asWasm(backend);
    let bt: tf.TensorInfo | undefined;
    try {
      if (plan.transposeB) {
        const out = transposeConfig.kernelFunc({ inputs: { x: b }, backend, attrs: { perm: swapLastTwo(b.shape.length) } });
        if (Array.isArray(out)) throw new Error('xreg wasm kernels: Transpose returned several outputs');
        bt = out;
      }
      const c = backend.makeOutput(plan.outShape, 'float32');
      used?.(plan);
      gemm(offsetOf(backend, a), offsetOf(backend, bt ?? b), offsetOf(backend, c), plan.K, plan.M, plan.N, plan.sm * 4, plan.sk * 4);
      return c;
    } finally {
      if (bt !== undefined) wasm.disposeData(bt.dataId);
    }
  };
  const config: tf.KernelConfig = { kernelName: fallback.kernelName, backendName: 'wasm', kernelFunc };
  if (fallback.setupFunc !== undefined) config.setupFunc = fallback.setupFunc;
  if (fallback.disposeFunc !== undefined) config.disposeFunc = fallback.disposeFunc;
  return config;
}
