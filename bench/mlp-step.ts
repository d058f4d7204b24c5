// The benchmarks' MLP training step: forward, backward with tf.variableGrads and an
// Adam update of a 784-256-256-10 ReLU network on a batch of 128, on the active backend.
import * as tf from '@tensorflow/tfjs-core';

export const sizes = [784, 256, 256, 10];
export const batch = 128;

function glorot(fanIn: number, fanOut: number): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', 7);
}

/** The model, its optimizer and one step (which reads the loss, so it finishes its work). */
export function mlpStep(): { readonly step: () => void; readonly dispose: () => void } {
  const layers = sizes.slice(1).map((out, i) => ({
    w: tf.variable(glorot(sizes[i] ?? 0, out)),
    b: tf.variable(tf.zeros([out])),
  }));
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal([batch, 784], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      let h: tf.Tensor = x;
      layers.forEach(({ w, b }, i) => {
        const z = tf.add(tf.matMul(h, w), b);
        h = i < layers.length - 1 ? tf.relu(z) : z;
      });
      return tf.losses.softmaxCrossEntropy(labels, h) as tf.Scalar;
    });
  const step = (): void => {
    const { value, grads } = tf.variableGrads(loss);
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const dispose = (): void => {
    optimizer.dispose();
    tf.dispose([x, labels, ...layers.flatMap(({ w, b }) => [w, b])]);
  };
  return { step, dispose };
}
