// Identity (what tf.clone runs) sharing its input's storage instead of copying it, as the cpu
// backend does and as tfjs-backend-wasm's own Reshape does (a reference count per storage).
// tfjs-core clones every tensor an operation saves for its gradient, so on wasm each training step
// copied its activations once more: 33 copies a step in the conv step (3.5 ms, the largest
// [128, 28, 28, 32]), 37 in the MLP's. Tensors are immutable and no kernel writes into its inputs,
// so sharing is safe; strings keep the library's kernel.
import * as tf from '@tensorflow/tfjs-core';
import { replacing } from './wasm-ops.js';

interface RefCounted {
  readonly incRef: (dataId: object) => void;
}
const counts = (b: unknown): b is RefCounted => typeof (b as Partial<RefCounted>).incRef === 'function';

export function withSharedIdentity(library: tf.KernelConfig): tf.KernelConfig {
  return replacing(library, (args) => {
    const { x } = args.inputs;
    if (x === undefined || x.dtype === 'string' || !counts(args.backend)) return library.kernelFunc(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
