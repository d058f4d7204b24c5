// Our kernels for the tfjs wasm backend: a faster path for transposed matrix
// products and the gradient kernels tfjs-backend-wasm 4.22 lacks.
import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, useOnePassFilterGrad } from './conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input.js';
import { withBatchedBiasFix } from './fused-mat-mul.js';
import { withMaterializedTranspose } from './transposed-mat-mul.js';
import { withOwnProduct } from './own-mat-mul.js';
export { setKernelThreads } from '../../../stdlib/wasm/heap.js';
import { withOwnMaxPoolGrad } from './max-pool-grad.js';
import { withOwnSum } from './sum-rows.js';
import { withSharedIdentity } from './identity.js';
import type { GemmPlan } from './outer-gemm.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export interface WasmKernelOptions {
  /** Replace BatchMatMul/_FusedMatMul with the transpose-first path (default true). */
  readonly transposedMatMul?: boolean;
  /**
   * BatchMatMul may swap its operands where that copies less (transposed-mat-mul.ts). Default
   * false: the swapped product is 10–15% faster alone, but whole MLP steps were not faster with it
   * (0.77–1.03 of the old path over four sittings, bench/README.md); bench/wasm-swap.ts turns it on.
   */
  readonly swapOperands?: boolean;
  /**
   * BatchMatMul by our own SIMD product where shapes allow (own-mat-mul.ts; default true): faster
   * than XNNPACK's on a dense layer's products, and no transposed or packed copies.
   */
  readonly ownProduct?: boolean;
  /** MaxPoolGrad by our SIMD function where the pool's windows do not overlap (max-pool-grad.ts; default true). */
  readonly ownPoolGrad?: boolean;
  /** Sum over leading axes by our SIMD function (sum-rows.ts; default true). */
  readonly ownSum?: boolean;
  /** Identity shares its input's storage instead of copying it (identity.ts; default true). */
  readonly sharedIdentity?: boolean;
  /** Conv2DBackpropFilter in one pass by our SIMD function where out channels come by 4 (conv-filter-grad.ts; default true). */
  readonly ownFilterGrad?: boolean;
  /** Told each time our own product runs, and on how many threads (tests and benches observe which path ran). */
  readonly onOwnProduct?: (plan: GemmPlan, threads: number) => void;
}

/** Gradient kernels we supply only where the installed wasm backend has none. */
const missingKernels: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** tfjs-backend-wasm's own matmul kernels, captured before we first replaced them. */
const originals = new Map<string, tf.KernelConfig>();
const added = new Set<string>();

function replaceKernel(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

function original(name: string): tf.KernelConfig | undefined {
  const known = originals.get(name);
  if (known !== undefined) return known;
  const current = tf.getKernel(name, 'wasm');
  if (current !== undefined) originals.set(name, current);
  return current;
}

/**
 * Registers our wasm kernels; idempotent. Returns the names of the kernels of
 * ours now registered for 'wasm' (for the run to report).
 */
export function registerWasmKernels(options: WasmKernelOptions = {}): string[] {
  for (const config of missingKernels) {
    if (added.has(config.kernelName)) continue;
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) continue;
    tf.registerKernel(config);
    added.add(config.kernelName);
  }
  const transposeFirst = options.transposedMatMul ?? true;
  const batchMatMul = original('BatchMatMul');
  if (batchMatMul !== undefined) {
    const library = transposeFirst ? withMaterializedTranspose(batchMatMul, { swap: options.swapOperands ?? false }) : batchMatMul;
    replaceKernel((options.ownProduct ?? true) ? withOwnProduct(library, options.onOwnProduct) : library);
  }
  const fused = original('_FusedMatMul');
  if (fused !== undefined) {
    replaceKernel(withBatchedBiasFix(transposeFirst ? withMaterializedTranspose(fused) : fused));
  }
  const poolGrad = original('MaxPoolGrad');
  const ownPoolGrad = options.ownPoolGrad ?? true;
  if (poolGrad !== undefined) replaceKernel(ownPoolGrad ? withOwnMaxPoolGrad(poolGrad) : poolGrad);
  useOnePassFilterGrad(options.ownFilterGrad ?? true);
  const sum = original('Sum');
  const ownSum = options.ownSum ?? true;
  if (sum !== undefined) replaceKernel(ownSum ? withOwnSum(sum) : sum);
  const identity = original('Identity');
  const shared = options.sharedIdentity ?? true;
  if (identity !== undefined) replaceKernel(shared ? withSharedIdentity(identity) : identity);
  const matMuls = transposeFirst
    ? [`BatchMatMul (${(options.ownProduct ?? true) ? 'our SIMD product where shapes allow, else ' : ''}transpose first${(options.swapOperands ?? false) ? ' or swap operands' : ''})`, '_FusedMatMul (transpose first, batched bias fix)']
    : ['_FusedMatMul (batched bias fix)'];
  return [...added, ...matMuls, ...(poolGrad !== undefined && ownPoolGrad ? ['MaxPoolGrad (ours)'] : []), ...(sum !== undefined && ownSum ? ['Sum (ours over leading axes)'] : []), ...(identity !== undefined && shared ? ['Identity (shares storage)'] : [])];
}

/** Puts back tfjs-backend-wasm's own kernels and removes ours. */
export function unregisterWasmKernels(): void {
  for (const [, config] of originals) replaceKernel(config);
  originals.clear();
  for (const name of added) tf.unregisterKernel(name, 'wasm');
  added.clear();
}
