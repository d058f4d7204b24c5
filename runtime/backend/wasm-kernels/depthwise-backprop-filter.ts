// Filter gradient of depthwise conv2d, missing from tfjs-backend-wasm 4.22.
// For each tap (i, j): dW[i, j, c, m] = sum over (n, oh, ow) of
// window_ij(x)[.., c] * dy[.., c * mult + m]: a broadcast Multiply and a Sum
// over the rows, composed from native wasm kernels.
import * as tf from '@tensorflow/tfjs-core';
import { as4, tapGeometry } from './conv-geometry.js';
import { composed, type Info } from './wasm-ops.js';

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    if (x === undefined || dy === undefined) throw new Error('DepthwiseConv2dNativeBackpropFilter needs inputs x and dy');
    const { strides, dilations, pad, dimRoundingMode, filterShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    return composed(backend, (s) => {
      const info = tf.backend_util.computeConv2DInfo(as4(x.shape), filterShape, strides, dilations, pad, dimRoundingMode, true);
      const geo = tapGeometry(info);
      const channels = info.inChannels;
      const mult = filterShape[3];
      const rows = info.batchSize * info.outHeight * info.outWidth;
      const xp = s.pad(x, geo.paddings);
      const dy3 = s.reshape(dy, [rows, channels, mult]);
      const taps: Info[] = [];
      for (let i = 0; i < info.filterHeight; i++) {
        for (let j = 0; j < info.filterWidth; j++) {
          const w = geo.window(i, j);
          const win = s.reshape(s.stridedSlice(xp, w.begin, w.end, w.strides), [rows, channels, 1]);
          taps.push(s.sum(s.mul(win, dy3), [0]));
        }
      }
      return s.reshape(s.concat(taps, 0), [...filterShape]);
    });
  },
};
