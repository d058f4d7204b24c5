// tfjs-backend-wasm 4.22 multiplies transposed operands through a slow path
// (about 10x slower than transposing first, see bench/wasm-matmul.ts), and the
// gradient of every matMul asks for transposed products. Its fast path (XNNPACK's
// fully connected operator) takes plain operands only and packs its right operand
// (the "weights") on every call with a new right operand. So a transposed product
// costs copies: the transposes we make and the packing of the right operand.
// We take, of two equal formulations, the one that copies fewer elements:
//
//   transpose first:  C = op(A)·op(B), each transposed operand materialized;
//                     copies [tA]|A| + [tB]|B| + |B| (packing B)
//   swap operands:    C = (op(B)ᵀ·op(A)ᵀ)ᵀ, whose operands are A and B themselves
//                     where they were transposed; copies [!tA]|A| + [!tB]|B| + |A|
//                     (packing) + |C| (transposing the result)
//
// Swapping wins for dx = dy·Wᵀ of a layer whose weights outnumber its batch's
// activations (W2 of a 784-256-256-10 MLP at batch 128: 96k copies instead of
// 130k). Each output element is the same sum over the shared dimension, in the
// same order, whichever operand XNNPACK packs, so both give the same bits
// (test/backend/wasm-matmul.test.ts compares them). _FusedMatMul adds a bias
// along the last axis and cannot swap. Off unless asked (registerWasmKernels'
// swapOperands): whole training steps were not measurably faster with it.
import * as tf from '@tensorflow/tfjs-core';
import { asWasm, type Info, replacing, swapLastTwo } from './wasm-ops.js';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Elements of op(A)·op(B) (batch dimensions broadcast). */
const productSize = (a: readonly number[], b: readonly number[], transposeA: boolean, transposeB: boolean): number => {
  const m = (transposeA ? a[a.length - 1] : a[a.length - 2]) ?? 1;
  const n = (transposeB ? b[b.length - 2] : b[b.length - 1]) ?? 1;
  return Math.max(size(a.slice(0, -2)), size(b.slice(0, -2))) * m * n;
};

/** Which formulation copies fewer elements (see the top of this file). */
export function transposedPlan(a: readonly number[], b: readonly number[], transposeA: boolean, transposeB: boolean): 'transpose-first' | 'swap-operands' {
  const [na, nb] = [size(a), size(b)];
  const first = (transposeA ? na : 0) + (transposeB ? nb : 0) + nb;
  const swap = (transposeA ? 0 : na) + (transposeB ? 0 : nb) + na + productSize(a, b, transposeA, transposeB);
  return swap < first ? 'swap-operands' : 'transpose-first';
}

export interface TransposedOptions {
  /** Allow the swapped formulation (BatchMatMul; not _FusedMatMul, whose bias lies along the last axis). */
  readonly swap: boolean;
}

/**
 * Wraps a matmul-like wasm kernel (BatchMatMul, _FusedMatMul) whose operands are
 * inputs `a` and `b` and whose attrs carry `transposeA`/`transposeB`.
 */
export function withMaterializedTranspose(original: tf.KernelConfig, options: TransposedOptions = { swap: false }): tf.KernelConfig {
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
    const made: Info[] = [];
    const transposed = (x: Info): Info => {
      const out = transposeConfig.kernelFunc({ inputs: { x }, backend, attrs: { perm: swapLastTwo(x.shape.length) } });
      if (Array.isArray(out)) throw new Error('xreg wasm kernels: Transpose returned several outputs');
      made.push(out);
      return out;
    };
    const plain = (l: Info, r: Info): Info => {
      const out = original.kernelFunc({ inputs: { ...inputs, a: l, b: r }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      if (Array.isArray(out)) throw new Error('xreg wasm kernels: the matMul kernel returned several outputs');
      return out;
    };
    try {
      if (options.swap && transposedPlan(a.shape, b.shape, transposeA, transposeB) === 'swap-operands') {
        // Cᵀ = op(B)ᵀ·op(A)ᵀ: a transposed operand enters as it is.
        const swapped = plain(transposeB ? b : transposed(b), transposeA ? a : transposed(a));
        made.push(swapped);
        const out = transposeConfig.kernelFunc({ inputs: { x: swapped }, backend, attrs: { perm: swapLastTwo(swapped.shape.length) } });
        if (Array.isArray(out)) throw new Error('xreg wasm kernels: Transpose returned several outputs');
        return out;
      }
      return plain(transposeA ? transposed(a) : a, transposeB ? transposed(b) : b);
    } finally {
      for (const t of made) wasm.disposeData(t.dataId);
    }
  };
  return replacing(original, kernelFunc);
}
