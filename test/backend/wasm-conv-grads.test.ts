import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateWasm, onBackend, onBoth, randomTensor, relativeError, rememberBackend, wasmBackend } from './helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
interface Case {
  readonly x: [number, number, number, number];
  readonly f: [number, number];
  readonly out: number;
  readonly strides: number | [number, number];
  readonly pad: Pad;
}

const cases: Case[] = [
  { x: [2, 9, 8, 3], f: [3, 3], out: 4, strides: 1, pad: 'same' },
  { x: [2, 9, 8, 3], f: [3, 3], out: 4, strides: 1, pad: 'valid' },
  { x: [2, 9, 8, 3], f: [3, 3], out: 4, strides: 2, pad: 'same' },
  { x: [2, 9, 8, 3], f: [3, 3], out: 4, strides: 2, pad: 'valid' },
  { x: [1, 10, 7, 2], f: [2, 4], out: 3, strides: [3, 2], pad: 'same' },
  { x: [3, 6, 6, 1], f: [5, 5], out: 2, strides: 1, pad: 'valid' },
  { x: [1, 7, 7, 2], f: [1, 1], out: 5, strides: 2, pad: 'valid' },
  { x: [2, 6, 5, 2], f: [3, 2], out: 2, strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Out channels by 4 take our one-pass filter gradient (conv-filter-grad.ts): uneven strides,
  // explicit padding, a 1×1 filter, one input channel.
  { x: [2, 9, 7, 3], f: [3, 2], out: 8, strides: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 7, 7, 5], f: [1, 1], out: 12, strides: 2, pad: 'valid' },
  { x: [3, 8, 8, 1], f: [3, 3], out: 16, strides: 1, pad: 'same' },
];

function describeCase(c: Case): string {
  return `x[${c.x}] filter ${c.f[0]}x${c.f[1]} strides ${String(c.strides)} pad ${JSON.stringify(c.pad)}`;
}

/** The dy shape the forward op produces, so the gradients get consistent inputs. */
function outShape(c: Case, depthwise: boolean, outChannels: number): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(c.x, [c.f[0], c.f[1], c.x[3], outChannels], c.strides, 1, c.pad, undefined, depthwise);
  return info.outShape;
}

function kernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  const out = tf.engine().runKernel(name, inputs, attrs);
  if (Array.isArray(out)) throw new Error(`${name} returned several outputs`);
  return out;
}

async function expectAgreement(f: () => tf.Tensor): Promise<void> {
  const { wasm, cpu } = await onBoth(f);
  expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
}

describe('wasm Conv2DBackpropFilter (ours) agrees with cpu', () => {
  for (const c of cases) {
    it(describeCase(c), async () => {
      const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], c.out];
      const dy = outShape(c, false, c.out);
      await expectAgreement(() =>
        kernel('Conv2DBackpropFilter', { x: randomTensor(c.x, 1), dy: randomTensor(dy, 2) }, {
          strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape,
        }),
      );
    });
  }
});

describe('wasm DepthwiseConv2dNativeBackpropFilter (ours) agrees with cpu', () => {
  for (const c of cases) {
    for (const mult of [1, 2]) {
      it(`${describeCase(c)} multiplier ${mult}`, async () => {
        const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], mult];
        const dy = outShape(c, true, mult);
        await expectAgreement(() =>
          kernel('DepthwiseConv2dNativeBackpropFilter', { x: randomTensor(c.x, 3), dy: randomTensor(dy, 4) }, {
            strides: c.strides, pad: c.pad, dilations: 1, filterShape,
          }),
        );
      });
    }
  }
});

describe('wasm DepthwiseConv2dNativeBackpropInput (ours) agrees with cpu', () => {
  for (const c of cases) {
    for (const mult of [1, 2]) {
      it(`${describeCase(c)} multiplier ${mult}`, async () => {
        const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], mult];
        const dy = outShape(c, true, mult);
        await expectAgreement(() =>
          kernel('DepthwiseConv2dNativeBackpropInput', { dy: randomTensor(dy, 5), filter: randomTensor(filterShape, 6) }, {
            strides: c.strides, pad: c.pad, dilations: 1, inputShape: c.x,
          }),
        );
      });
    }
  }
});

describe('wasm Conv2DBackpropInput (tfjs-backend-wasm own) agrees with cpu', () => {
  for (const c of cases.filter((k) => typeof k.pad === 'string')) {
    it(describeCase(c), async () => {
      const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], c.out];
      await expectAgreement(() =>
        tf.conv2dTranspose(
          randomTensor(outShape(c, false, c.out), 7) as tf.Tensor4D,
          randomTensor(filterShape, 8) as tf.Tensor4D,
          c.x,
          c.strides,
          c.pad === 'same' ? 'same' : 'valid',
        ),
      );
    });
  }
});

describe('memory', () => {
  it('our conv gradient kernels free every intermediate', async () => {
    await onBackend('wasm', () => tf.scalar(0));
    const c = cases[2]!;
    const run = () => {
      tf.tidy(() => {
        const dy = randomTensor(outShape(c, true, 2), 2);
        kernel('Conv2DBackpropFilter', { x: randomTensor(c.x, 1), dy: randomTensor(outShape(c, false, 4), 2) }, {
          strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: [3, 3, c.x[3], 4],
        });
        kernel('DepthwiseConv2dNativeBackpropFilter', { x: randomTensor(c.x, 1), dy }, {
          strides: c.strides, pad: c.pad, dilations: 1, filterShape: [3, 3, c.x[3], 2],
        });
        kernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: randomTensor([3, 3, c.x[3], 2], 3) }, {
          strides: c.strides, pad: c.pad, dilations: 1, inputShape: c.x,
        });
      });
    };
    run();
    const before = wasmBackend().numDataIds();
    run();
    expect(wasmBackend().numDataIds()).toBe(before);
  });
});
