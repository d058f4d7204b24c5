// tfjs-backend-wasm 4.22 multiplies transposed operands through a slow path
// (about 10x slower than transposing first, see bench/wasm-matmul.ts), and the
// gradient of every matMul asks for transposed products. We materialize the
// transpose with the wasm Transpose kernel and hand the original kernel plain
// operands.
import * as tf from '@tensorflow/tfjs-core';
import { asWasm, type Info } from './wasm-ops.js';

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * Wraps a matmul-like wasm kernel (BatchMatMul, _FusedMatMul) whose operands are
 * inputs `a` and `b` and whose attrs carry `transposeA`/`transposeB`.
 */
export function withMaterializedTranspose(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    const { a, b } = inputs;
    if ((!transposeA && !transposeB) || a === undefined || b === undefined) {
      return original.kernelFunc({ inputs, backend, attrs });
    }
    const transposeConfig = tf.getKernel('Transpose', 'wasm');
    if (transposeConfig === undefined) return original.kernelFunc({ inputs, backend, attrs });
    const wasm = asWasm(backend);
    const materialize = (x: Info): Info => {
      const out = transposeConfig.kernelFunc({ inputs: { x }, backend, attrs: { perm: swapLastTwo(x.shape.length) } });
      if (Array.isArray(out)) throw new Error('xreg wasm kernels: Transpose returned several outputs');
      return out;
    };
    const made: Info[] = [];
    try {
      const a2 = transposeA ? materialize(a) : a;
      if (transposeA) made.push(a2);
      const b2 = transposeB ? materialize(b) : b;
      if (transposeB) made.push(b2);
      return original.kernelFunc({
        inputs: { ...inputs, a: a2, b: b2 },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of made) wasm.disposeData(t.dataId);
    }
  };
  const config: tf.KernelConfig = { kernelName: original.kernelName, backendName: 'wasm', kernelFunc };
  if (original.setupFunc !== undefined) config.setupFunc = original.setupFunc;
  if (original.disposeFunc !== undefined) config.disposeFunc = original.disposeFunc;
  return config;
}
