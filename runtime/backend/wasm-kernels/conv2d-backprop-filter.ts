// Filter gradient of conv2d, missing from tfjs-backend-wasm 4.22. For each filter
// tap (i, j): dW[i, j] = window_ij(x)^T · dy, where window_ij is the strided slice
// of the padded input that tap reads. This is im2col split per tap: it composes
// native wasm kernels (PadV2, StridedSlice, BatchMatMul, Concat) and keeps peak
// memory at one window instead of the whole im2col matrix.
import * as tf from '@tensorflow/tfjs-core';
import { as4, tapGeometry } from './conv-geometry.js';
import { composed, type Info } from './wasm-ops.js';
import { isWasmHeapBackend, kernelsOn, offsetOf } from '../../../stdlib/wasm/heap.js';
import { convFilterGradWasm } from './conv-filter-grad.js';

type FilterGrad = (...args: number[]) => void;

/** Whether our one-pass function may run (registerWasmKernels' ownFilterGrad; benches compare both paths). */
let onePass = true;
export const useOnePassFilterGrad = (on: boolean): void => {
  onePass = on;
};

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs inputs x and dy');
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return composed(backend, (s) => {
      // NCHW is rare in tfjs; convert once and reuse the NHWC path.
      const nchw = dataFormat === 'NCHW';
      const xs = nchw ? s.transpose(x, [0, 2, 3, 1]) : x;
      const dys = nchw ? s.transpose(dy, [0, 2, 3, 1]) : dy;
      const info = tf.backend_util.computeConv2DInfo(as4(xs.shape), filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
      const geo = tapGeometry(info);
      const rows = info.batchSize * info.outHeight * info.outWidth;
      const xp = s.pad(xs, geo.paddings);
      // Ours in one pass where out channels come by 4 (conv-filter-grad.ts); the per-tap products otherwise.
      const own = onePass && info.outChannels % 4 === 0 && xp.dtype === 'float32' && isWasmHeapBackend(backend) ? (kernelsOn(backend, 'conv_filter_grad', () => [convFilterGradWasm()])?.['conv_filter_grad'] as FilterGrad | undefined) : undefined;
      if (own !== undefined && isWasmHeapBackend(backend)) {
        const dw = s.own(backend.makeOutput([...filterShape], 'float32'));
        const [, hp, wp] = as4(xp.shape);
        own(offsetOf(backend, xp), offsetOf(backend, dys), offsetOf(backend, dw), info.batchSize, info.outHeight, info.outWidth, hp, wp, info.inChannels, info.outChannels,
          info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth);
        return dw;
      }
      const dy2 = s.reshape(dys, [rows, info.outChannels]);
      const taps: Info[] = [];
      for (let i = 0; i < info.filterHeight; i++) {
        for (let j = 0; j < info.filterWidth; j++) {
          const w = geo.window(i, j);
          const win = s.stridedSlice(xp, w.begin, w.end, w.strides);
          const win2 = s.reshape(win, [rows, info.inChannels]);
          taps.push(s.matMul(win2, dy2, true, false));
        }
      }
      return s.reshape(s.concat(taps, 0), [...filterShape]);
    });
  },
};
