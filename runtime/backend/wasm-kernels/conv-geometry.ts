import * as tf from '@tensorflow/tfjs-core';

/** Where each filter tap reads the zero-padded input of a 2-D convolution. */
export interface TapGeometry {
  readonly info: tf.backend_util.Conv2DInfo;
  /** Padding of the NHWC input so every tap's strided window lies inside it. */
  readonly paddings: Array<[number, number]>;
  /** Strided-slice window of tap (i, j) in the padded input. */
  window(i: number, j: number): { begin: number[]; end: number[]; strides: number[] };
}

export function tapGeometry(info: tf.backend_util.Conv2DInfo): TapGeometry {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // Rows past the input are zeros in the forward pass; pad exactly as far as the
  // last tap's last window row reaches so that no slice runs off the end.
  const needH = (filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight + 1;
  const needW = (filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth + 1;
  const bottom = Math.max(needH - inHeight - top, 0);
  const right = Math.max(needW - inWidth - left, 0);
  return {
    info,
    paddings: [[0, 0], [top, bottom], [left, right], [0, 0]],
    window(i, j) {
      const r0 = i * dilationHeight;
      const c0 = j * dilationWidth;
      return {
        begin: [0, r0, c0, 0],
        end: [batchSize, r0 + (outHeight - 1) * strideHeight + 1, c0 + (outWidth - 1) * strideWidth + 1, inChannels],
        strides: [1, strideHeight, strideWidth, 1],
      };
    },
  };
}

export function as4(shape: readonly number[]): [number, number, number, number] {
  const [a, b, c, d] = shape;
  if (shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`xreg wasm kernels: expected a rank-4 shape, got [${shape.join(', ')}]`);
  }
  return [a, b, c, d];
}

export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}
