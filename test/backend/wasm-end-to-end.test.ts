import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateWasm, onBoth, randomTensor, relativeError, rememberBackend } from './helpers.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

async function expectSameGradients(f: () => tf.Tensor[]): Promise<void> {
  const { wasm, cpu } = await onBoth(f);
  expect(wasm.length).toBe(cpu.length);
  wasm.forEach((g, i) => expect(relativeError(g, cpu[i]!), `gradient ${i}`).toBeLessThan(1e-4));
}

describe('tf.grad on wasm matches cpu', () => {
  it('through conv2d (input and filter)', async () => {
    await expectSameGradients(() =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'))))([
        randomTensor([2, 8, 8, 3], 1),
        randomTensor([3, 3, 3, 5], 2),
      ]),
    );
  });

  it('through depthwise conv2d (input and filter)', async () => {
    await expectSameGradients(() =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'))),
      )([randomTensor([2, 7, 6, 3], 3), randomTensor([3, 3, 3, 2], 4)]),
    );
  });

  it('through gather (the table gradient is a segment sum)', async () => {
    await expectSameGradients(() =>
      tf.grads((table: tf.Tensor) => tf.sum(tf.square(tf.gather(table, tf.tensor1d([3, 0, 3, 5, 1, 3], 'int32')))))([
        randomTensor([7, 4], 5),
      ]),
    );
  });

  it('for every parameter of a small conv net with an embedding', async () => {
    await expectSameGradients(() => {
      const params = {
        conv: tf.variable(randomTensor([3, 3, 2, 4], 10), true, 'conv'),
        depthwise: tf.variable(randomTensor([3, 3, 4, 2], 11), true, 'depthwise'),
        dense: tf.variable(randomTensor([3 * 3 * 8, 5], 12), true, 'dense'),
        embedding: tf.variable(randomTensor([6, 5], 13), true, 'embedding'),
      };
      const images = randomTensor([4, 8, 8, 2], 14) as tf.Tensor4D;
      const tokens = tf.tensor1d([2, 0, 5, 2], 'int32');
      const targets = randomTensor([4, 5], 15);
      const loss = () => {
        const h1 = tf.relu(tf.conv2d(images, params.conv as tf.Tensor4D, 1, 'same'));
        const h2 = tf.relu(tf.depthwiseConv2d(h1, params.depthwise as tf.Tensor4D, 2, 'same'));
        const pooled = tf.maxPool(h2, 2, 1, 'valid');
        const logits = tf.add(tf.matMul(tf.reshape(pooled, [4, -1]), params.dense), tf.gather(params.embedding, tokens));
        return tf.losses.softmaxCrossEntropy(targets.softmax(), logits) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(loss);
      const out = [value, ...Object.keys(params).map((k) => grads[k]!)].map((t) => t.clone());
      tf.dispose(Object.values(params));
      return out;
    });
  });
});
