// Input gradient of depthwise conv2d, missing from tfjs-backend-wasm 4.22.
// dx is the transposed convolution of dy: dilate dy by the stride, pad it by
// (filter - 1 - forward padding), and correlate it with the spatially flipped
// filter, one output channel per (c, m); then sum over the multiplier m. The
// correlation is the native wasm DepthwiseConv2dNative (XNNPACK).
import * as tf from '@tensorflow/tfjs-core';
import { as4, pair } from './conv-geometry.js';
import { composed, padOrCrop } from './wasm-ops.js';

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    if (dy === undefined || filter === undefined) throw new Error('DepthwiseConv2dNativeBackpropInput needs inputs dy and filter');
    const { strides, dilations, pad, dimRoundingMode, inputShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const [dh, dw] = pair(dilations);
    if (dh !== 1 || dw !== 1) {
      // tfjs-core's depthwiseConv2d gradient already rejects dilation > 1.
      throw new Error('xreg wasm DepthwiseConv2dNativeBackpropInput supports dilation 1 only');
    }
    return composed(backend, (s) => {
      const filterShape = as4(filter.shape);
      const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode, true);
      const { batchSize: n, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
      const [fh, fw, , mult] = filterShape;
      const k = inChannels * mult;
      // Dilation by reshape + pad: each dy row is followed by (stride - 1) zero rows.
      const dy6 = s.reshape(dy, [n, outHeight, 1, outWidth, 1, k]);
      const dil6 = sh > 1 || sw > 1 ? s.pad(dy6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]) : dy6;
      const dil = s.reshape(dil6, [n, outHeight * sh, outWidth * sw, k]);
      const top = fh - 1 - info.padInfo.top;
      const left = fw - 1 - info.padInfo.left;
      const framed = padOrCrop(s, dil, [
        [0, 0],
        [top, inHeight + fh - 1 - top - outHeight * sh],
        [left, inWidth + fw - 1 - left - outWidth * sw],
        [0, 0],
      ]);
      const flipped = s.reshape(s.reverse(filter, [0, 1]), [fh, fw, k, 1]);
      const dxk = s.run('DepthwiseConv2dNative', { x: framed, filter: flipped }, {
        strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1],
      });
      if (mult === 1) return s.reshape(dxk, [...inputShape]);
      return s.sum(s.reshape(dxk, [n, inHeight, inWidth, inChannels, mult]), [4]);
    });
  },
};
