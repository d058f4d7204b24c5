import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withMaterializedTranspose } from '../../runtime/backend/wasm-kernels/transposed-mat-mul.js';
import { activateWasm, rememberBackend, onBackend, onBoth, randomTensor, relativeError, wasmBackend } from './helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

const flags = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

function operandShape(batch: number[], rows: number, cols: number, transposed: boolean): number[] {
  return [...batch, ...(transposed ? [cols, rows] : [rows, cols])];
}

describe('wasm BatchMatMul with transposed operands', () => {
  const shapes: Array<{ batchA: number[]; batchB: number[]; m: number; k: number; n: number }> = [
    { batchA: [], batchB: [], m: 17, k: 33, n: 9 },
    { batchA: [], batchB: [], m: 1, k: 12, n: 5 },
    { batchA: [4], batchB: [4], m: 6, k: 11, n: 7 },
    { batchA: [2, 3], batchB: [2, 3], m: 5, k: 4, n: 8 },
    { batchA: [3], batchB: [1], m: 5, k: 6, n: 2 },
  ];
  for (const { batchA, batchB, m, k, n } of shapes) {
    for (const [ta, tb] of flags) {
      it(`[${batchA}]${m}x${k} · [${batchB}]${k}x${n}, transposeA=${ta}, transposeB=${tb} agrees with cpu`, async () => {
        const { wasm, cpu } = await onBoth(() =>
          tf.matMul(randomTensor(operandShape(batchA, m, k, ta), 11), randomTensor(operandShape(batchB, k, n, tb), 12), ta, tb),
        );
        expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
      });
    }
  }

  it('fused matMul with bias and activations agrees with cpu, batched and not, under transposes', async () => {
    const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
    for (const [ta, tb] of flags) for (const batch of [[], [1], [3]]) for (const activation of activations) {
      const { wasm, cpu } = await onBoth(() =>
        tf.fused.matMul({
          a: randomTensor([...batch, ...(ta ? [8, 5] : [5, 8])], 21),
          b: randomTensor([...batch, ...(tb ? [4, 8] : [8, 4])], 22),
          transposeA: ta,
          transposeB: tb,
          bias: randomTensor([4], 23),
          activation,
          preluActivationWeights: activation === 'prelu' ? randomTensor([4], 24) : undefined,
          leakyreluAlpha: 0.3,
        }),
      );
      expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    }
  });

  it('frees its transposed copies', async () => {
    await tf.setBackend('wasm');
    const a = randomTensor([7, 5], 1);
    const b = randomTensor([9, 7], 2);
    tf.matMul(a, b, true, true).dispose();
    const before = wasmBackend().numDataIds();
    tf.matMul(a, b, true, true).dispose();
    expect(wasmBackend().numDataIds()).toBe(before);
    tf.dispose([a, b]);
  });

  it('an MLP backward pass asks for transposed products and the original kernel only sees plain ones', async () => {
    const active = tf.getKernel('BatchMatMul', 'wasm');
    const requested: Array<[boolean, boolean]> = [];
    const reachedOriginal: Array<[boolean, boolean]> = [];
    const flagsOf = (attrs: tf.NamedAttrMap | undefined): [boolean, boolean] => [attrs?.['transposeA'] === true, attrs?.['transposeB'] === true];
    // The spy stands in for tfjs-backend-wasm's kernel underneath our wrapper.
    const spyOriginal: tf.KernelConfig = {
      ...active,
      kernelFunc: (args) => {
        reachedOriginal.push(flagsOf(args.attrs));
        return active.kernelFunc(args);
      },
    };
    const wrapped = withMaterializedTranspose(spyOriginal);
    const outer: tf.KernelConfig = {
      ...wrapped,
      kernelFunc: (args) => {
        requested.push(flagsOf(args.attrs));
        return wrapped.kernelFunc(args);
      },
    };
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(outer);
    try {
      const mlpGrads = () => {
        const w1 = tf.variable(randomTensor([20, 16], 31), true, 'w1');
        const w2 = tf.variable(randomTensor([16, 3], 32), true, 'w2');
        const x = randomTensor([8, 20], 33);
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(tf.relu(tf.matMul(x, w1)), w2))) as tf.Scalar, [w1, w2]);
        const out = [grads['w1']!, grads['w2']!].map((g) => g.clone());
        tf.dispose([w1, w2]);
        return out;
      };
      const wasmGrads = await onBackend('wasm', mlpGrads);
      expect(requested.some(([ta, tb]) => ta || tb)).toBe(true);
      expect(reachedOriginal.length).toBe(requested.length);
      expect(reachedOriginal.every(([ta, tb]) => !ta && !tb)).toBe(true);
      const cpuGrads = await onBackend('cpu', mlpGrads);
      wasmGrads.forEach((g, i) => expect(relativeError(g, cpuGrads[i]!)).toBeLessThan(1e-4));
    } finally {
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel(active);
    }
  });
});
