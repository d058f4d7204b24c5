// Our kernels for the tfjs wasm backend: a faster path for transposed matrix
// products and the gradient kernels tfjs-backend-wasm 4.22 lacks.
import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input.js';
import { withMaterializedTranspose } from './transposed-mat-mul.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export interface WasmKernelOptions {
  /** Replace BatchMatMul/_FusedMatMul with the transpose-first path (default true). */
  readonly transposedMatMul?: boolean;
}

/** Gradient kernels we supply only where the installed wasm backend has none. */
const missingKernels: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

const wrappedMatMuls = ['BatchMatMul', '_FusedMatMul'] as const;

/** Original wasm matmul kernels we replaced, so they can be put back. */
const originals = new Map<string, tf.KernelConfig>();
const added = new Set<string>();

function replaceKernel(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
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
  if (options.transposedMatMul ?? true) {
    for (const name of wrappedMatMuls) {
      if (originals.has(name)) continue;
      const original = tf.getKernel(name, 'wasm');
      if (original === undefined) continue;
      originals.set(name, original);
      replaceKernel(withMaterializedTranspose(original));
    }
  } else {
    restoreMatMuls();
  }
  return [...added, ...[...originals.keys()].map((n) => `${n} (transpose first)`)];
}

function restoreMatMuls(): void {
  for (const [, original] of originals) replaceKernel(original);
  originals.clear();
}

/** Puts back tfjs-backend-wasm's own kernels and removes ours. */
export function unregisterWasmKernels(): void {
  restoreMatMuls();
  for (const name of added) tf.unregisterKernel(name, 'wasm');
  added.clear();
}
