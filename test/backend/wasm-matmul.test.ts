import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transposedPlan, withMaterializedTranspose } from '../../runtime/backend/wasm-kernels/transposed-mat-mul.js';
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

  it('takes the formulation that copies less: swapped operands for dy·Wᵀ of a wide layer, transposes first for dW', () => {
    // 784-256-256-10 MLP, batch 128: dx of the 256→256 layer; dW of the first layer; dx of the last.
    expect(transposedPlan([128, 256], [256, 256], false, true)).toBe('swap-operands');
    expect(transposedPlan([128, 784], [128, 256], true, false)).toBe('transpose-first');
    expect(transposedPlan([128, 10], [256, 10], false, true)).toBe('transpose-first');
    // At batch 512 the activations outnumber the weights: transposing W stays cheaper.
    expect(transposedPlan([512, 256], [256, 256], false, true)).toBe('transpose-first');
    expect(transposedPlan([20, 4], [30, 20], true, true)).toBe('swap-operands');
  });

  it('swapped operands give the same bits as transposing first (the old path), and agree with cpu', async () => {
    const active = tf.getKernel('BatchMatMul', 'wasm');
    const run = async (swap: boolean, f: () => tf.Tensor) => {
      tf.unregisterKernel('BatchMatMul', 'wasm');
      // `active` passes plain products straight to tfjs-backend-wasm's kernel.
      tf.registerKernel(withMaterializedTranspose(active, { swap }));
      try {
        return await onBackend('wasm', f);
      } finally {
        tf.unregisterKernel('BatchMatMul', 'wasm');
        tf.registerKernel(active);
      }
    };
    const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
      { a: [128, 256], b: [256, 256], ta: false, tb: true },
      { a: [33, 40], b: [57, 40], ta: false, tb: true },
      { a: [3, 4, 20], b: [1, 30, 20], ta: false, tb: true },
      { a: [20, 4], b: [30, 20], ta: true, tb: true },
      { a: [2, 9, 5], b: [2, 12, 9], ta: true, tb: true },
    ];
    for (const { a, b, ta, tb } of cases) {
      expect(transposedPlan(a, b, ta, tb)).toBe('swap-operands');
      const f = () => tf.matMul(randomTensor(a, 41), randomTensor(b, 42), ta, tb);
      const [swapped] = await run(true, f);
      const [first] = await run(false, f);
      expect(swapped!.shape).toEqual(first!.shape);
      expect(Buffer.from(swapped!.values.buffer).equals(Buffer.from(first!.values.buffer))).toBe(true);
      const [cpu] = await onBackend('cpu', f);
      expect(relativeError(swapped!, cpu!)).toBeLessThan(1e-4);
    }
  });

  it('frees the swapped product and its transposes', async () => {
    await tf.setBackend('wasm');
    const a = randomTensor([8, 16], 3);
    const b = randomTensor([64, 16], 4);
    expect(transposedPlan(a.shape, b.shape, false, true)).toBe('swap-operands');
    tf.matMul(a, b, false, true).dispose();
    const before = wasmBackend().numDataIds();
    tf.matMul(a, b, false, true).dispose();
    expect(wasmBackend().numDataIds()).toBe(before);
    tf.dispose([a, b]);
  });
});
