// Our kernels for tfjs-backend-webgpu 4.22: the ones our programs' steps need
// and the package lacks (found by bench/gpu/kernels.ts, which lists the kernels
// every program's step runs and checks them against the registered ones).
import * as tf from '@tensorflow/tfjs-core';

/** Kernels we supply only where the installed webgpu backend has none. */
const missingKernels: readonly tf.KernelConfig[] = [];

const added = new Set<string>();

/** Registers our webgpu kernels; idempotent. Returns the names of ours now registered. */
export function registerWebgpuKernels(): string[] {
  for (const config of missingKernels) {
    if (added.has(config.kernelName)) continue;
    if (tf.getKernel(config.kernelName, 'webgpu') !== undefined) continue;
    tf.registerKernel(config);
    added.add(config.kernelName);
  }
  return [...added];
}
