/**
 * Gradients that xreg registers over TensorFlow.js's own, for second derivatives.
 *
 * A Hessian-vector product, `through F for K steps` at order 2 and the SRN's exact Θ' all
 * differentiate a gradient again. TensorFlow.js's gradients of exp, tanh, sigmoid and softmax read
 * the op's saved *output*, and a saved output is a copy that the tape does not connect to the
 * input: differentiating such a gradient again silently dropped every term through it (measured:
 * d²/dx² of exp(x) + x² came out 2 instead of e + 2; of exp(x) alone it threw). The gradients
 * below compute the same values from the saved *input*, which the tape does connect, so first
 * derivatives are unchanged to the bit and second derivatives are whole.
 *
 * Comparisons and logical operations have a zero gradient, but TensorFlow.js registers none, and
 * the gradients of clip, relu6, abs, ... use them: differentiating such a gradient again failed with
 * "gradient function not found for LogicalAnd". They are registered as zeros for every input.
 *
 * The gradients of mean and sum broadcast dy against `ones(x.shape)`, which TensorFlow.js builds as a
 * JavaScript array and uploads: with layer_norm's two means per layer, 3.1 MB of new ArrayBuffers in
 * every training step of pbt.xreg, and V8 runs a full collection per 64 MB of those
 * (filled-tensor.ts). The same product with the ones made by the backend (`fill`, a kernel) gives
 * the same values to the bit and the same second derivatives.
 *
 * The module takes the engine as an argument and imports none, so that `xreg check` (which must
 * not load TensorFlow.js) can import the module that calls it.
 */
import type * as Core from '@tensorflow/tfjs-core';

type Saved = Core.Tensor[];
type Dy = Core.Tensor | Core.Tensor[];

// TensorFlow.js keeps one gradient registry per process (on the global object), whichever module
// object reaches it: tf.ts's `require` and gradients.ts's `import` are two, so once is enough.
let registered = false;

export const registerXregGradients = (tf: typeof Core): void => {
  if (registered) return;
  registered = true;
  const zeroGradient = (kernelName: string, inputs: readonly string[]): void =>
    void tf.registerGradient({
      kernelName,
      inputsToSave: [...inputs],
      gradFunc: (_dy: Dy, saved: Saved) => Object.fromEntries(inputs.map((name, i) => [name, () => tf.zeros((saved[i] as Core.Tensor).shape, 'float32')])),
    });
  for (const k of ['LogicalAnd', 'LogicalOr', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual']) zeroGradient(k, ['a', 'b']);
  zeroGradient('LogicalNot', ['x']);

  // d exp(x) = exp(x) dx, d tanh(x) = (1 − tanh²x) dx, d σ(x) = σ(x)(1 − σ(x)) dx: each from x.
  const fromInput = (kernelName: string, dydx: (x: Core.Tensor) => Core.Tensor): void =>
    void tf.registerGradient({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (dy: Dy, saved: Saved) => ({ x: () => tf.mul(dy as Core.Tensor, dydx(saved[0] as Core.Tensor)) }),
    });
  fromInput('Exp', (x) => tf.exp(tf.cast(x, 'float32')));
  fromInput('Tanh', (x) => tf.sub(1, tf.square(tf.tanh(x))));
  fromInput('Sigmoid', (x) => {
    const s = tf.sigmoid(x);
    return tf.mul(s, tf.sub(1, s));
  });
  // relu's gradient dy·step(x) without TensorFlow.js's cast of step(x) to float32, which for a
  // float32 x is one more kernel (a copy of the same values) per layer and step.
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy: Dy, saved: Saved) => {
      const x = saved[0] as Core.Tensor;
      return { x: () => tf.mul(dy as Core.Tensor, x.dtype === 'float32' ? tf.step(x) : tf.cast(tf.step(x), 'float32')) };
    },
  });
  // dy reshaped to x's rank (1 along the reduced axes), times ones of x's shape: TensorFlow.js's own
  // Sum and Mean gradients, with the ones from the backend's fill kernel instead of a JavaScript array.
  const spread = (dy: Core.Tensor, x: Core.Tensor, axes: readonly number[]): Core.Tensor => {
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return tf.mul(tf.reshape(dy, expanded), tf.fill(x.shape, 1, 'float32'));
  };
  const axesOf = (x: Core.Tensor, attrs?: Core.NamedAttrMap): number[] => tf.util.parseAxisParam(attrs?.['axis'] as number | number[], x.shape);
  tf.registerGradient({
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy: Dy, saved: Saved, attrs?: Core.NamedAttrMap) => {
      const x = saved[0] as Core.Tensor;
      const d = spread(dy as Core.Tensor, x, axesOf(x, attrs));
      return { x: () => d };
    },
  });
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy: Dy, saved: Saved, attrs?: Core.NamedAttrMap) => {
      const x = saved[0] as Core.Tensor;
      const axes = axesOf(x, attrs);
      const reduceSize = axes.reduce((n, a) => n * (x.shape[a] ?? 1), 1);
      return { x: () => tf.div(spread(dy as Core.Tensor, x, axes), reduceSize) };
    },
  });
  tf.registerGradient({
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy: Dy, saved: Saved, attrs?: Core.NamedAttrMap) => {
      const dim = (attrs?.['dim'] as number | undefined) ?? -1;
      return {
        logits: () => {
          const y = tf.softmax(saved[0] as Core.Tensor, dim);
          const dyTimesY = tf.mul(dy as Core.Tensor, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    },
  });
};

/**
 * log softmax along the last axis from primitive operations. `tf.logSoftmax` carries a custom
 * gradient over its saved output, which a second derivative cannot see through (see above); this
 * is the same forward computation (shift by the maximum, subtract the log of the summed exps), and
 * its gradient is the tape's, whole to second order.
 */
export const logSoftmaxLast = (tf: typeof Core, logits: Core.Tensor): Core.Tensor => {
  // the shift's own gradient is zero in exact arithmetic (the result does not depend on it)
  const shifted = tf.sub(logits, tf.max(logits, -1, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
};
