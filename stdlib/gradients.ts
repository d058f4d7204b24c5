// tfjs-core's Node bundle registers no gradient functions (tf.grad fails with
// "gradient function not found for Sum"); the union package @tensorflow/tfjs
// registers all of them, plus the chained tensor methods, when it loads. Import
// this module anywhere gradients are taken.
import '@tensorflow/tfjs';
import { registerGradient, zeros, type Tensor } from '@tensorflow/tfjs-core';

/**
 * Comparisons and logical operations have a zero gradient, but tfjs registers none for them, and
 * the gradients of clip, relu6, abs, ... use them: differentiating such a gradient again (a
 * Hessian-vector product through clip, `through F for K steps`) failed with "gradient function
 * not found for LogicalAnd". Registered here as zeros for every input.
 */
const zeroGradient = (kernelName: string, inputs: readonly string[]): void =>
  void registerGradient({
    kernelName,
    inputsToSave: [...inputs],
    gradFunc: (_dy: Tensor | Tensor[], saved: Tensor[]) => Object.fromEntries(inputs.map((name, i) => [name, () => zeros((saved[i] as Tensor).shape, 'float32')])),
  });
for (const k of ['LogicalAnd', 'LogicalOr', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual']) zeroGradient(k, ['a', 'b']);
zeroGradient('LogicalNot', ['x']);

/** True once this module has loaded, i.e. once every tfjs gradient is registered. */
export const gradientsRegistered = true;
