// tfjs-core's Node bundle registers no gradient functions (tf.grad fails with
// "gradient function not found for Sum"); the union package @tensorflow/tfjs
// registers all of them, plus the chained tensor methods, when it loads. Import
// this module anywhere gradients are taken.
import '@tensorflow/tfjs';
import * as core from '@tensorflow/tfjs-core';
import { registerXregGradients } from './grad-registry.js';

// xreg's own gradients over tfjs's (zeros for comparisons, second-order-whole exp/tanh/sigmoid/softmax).
registerXregGradients(core);

/** True once this module has loaded, i.e. once every tfjs gradient is registered. */
export const gradientsRegistered = true;
