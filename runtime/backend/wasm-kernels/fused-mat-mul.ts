// tfjs-backend-wasm 4.22's _FusedMatMul adds the bias wrongly when the product
// is batched (rank 3 with batch > 1): tf.fused.matMul on [3,5,8]·[3,8,4] + bias
// is off by ~20% against the CPU backend and against matMul + add on wasm itself.
// For that case we compose plain kernels: BatchMatMul, Add, then the activation.
import * as tf from '@tensorflow/tfjs-core';
import { composed, type Info, type Scratch } from './wasm-ops.js';

function activate(s: Scratch, x: Info, activation: string, alpha: Info | undefined, leakyreluAlpha: number): Info {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return s.run('Relu', { x });
    case 'relu6':
      return s.run('Relu6', { x });
    case 'elu':
      return s.run('Elu', { x });
    case 'sigmoid':
      return s.run('Sigmoid', { x });
    case 'leakyrelu':
      return s.run('LeakyRelu', { x }, { alpha: leakyreluAlpha });
    case 'prelu':
      if (alpha === undefined) throw new Error('_FusedMatMul: prelu needs preluActivationWeights');
      return s.run('Prelu', { x, alpha });
    default:
      throw new Error(`_FusedMatMul: unsupported activation ${activation}`);
  }
}

function batchOf(t: Info): number {
  return tf.util.sizeFromShape(t.shape.slice(0, -2));
}

export function withBatchedBiasFix(inner: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b, bias, preluActivationWeights } = inputs;
    const batched = a !== undefined && b !== undefined && Math.max(batchOf(a), batchOf(b)) > 1;
    if (!batched || (bias === undefined && preluActivationWeights === undefined)) return inner.kernelFunc(args);
    const activation = typeof attrs?.['activation'] === 'string' ? attrs['activation'] : 'linear';
    const leakyreluAlpha = typeof attrs?.['leakyreluAlpha'] === 'number' ? attrs['leakyreluAlpha'] : 0.2;
    return composed(backend, (s) => {
      const product = s.matMul(a, b, attrs?.['transposeA'] === true, attrs?.['transposeB'] === true);
      const biased = bias === undefined ? product : s.run('Add', { a: product, b: bias });
      return activate(s, biased, activation, preluActivationWeights, leakyreluAlpha);
    });
  };
  return { ...inner, kernelFunc };
}
