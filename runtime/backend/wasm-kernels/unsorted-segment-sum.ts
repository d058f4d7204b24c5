// UnsortedSegmentSum (the gradient of gather), missing from tfjs-backend-wasm
// 4.22. The native wasm ScatterNd adds updates that hit the same index, which is
// exactly a segment sum. Ids outside [0, numSegments) are dropped, as on the CPU
// backend; ScatterNd would write out of bounds for them, so we read the ids (one
// int per row, cheap next to the data) and gather the in-range rows first.
import * as tf from '@tensorflow/tfjs-core';
import { composed } from './wasm-ops.js';

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs;
    if (x === undefined || segmentIds === undefined) throw new Error('UnsortedSegmentSum needs inputs x and segmentIds');
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    return composed(backend, (s) => {
      const idRank = segmentIds.shape.length;
      const rows = tf.util.sizeFromShape(segmentIds.shape);
      const rest = x.shape.slice(idRank);
      const width = tf.util.sizeFromShape(rest);
      const outShape = [numSegments, ...rest];
      const ids = s.backend.readSync(segmentIds.dataId);
      const keep: number[] = [];
      for (let r = 0; r < rows; r++) {
        const id = Number(ids[r]);
        if (id >= 0 && id < numSegments) keep.push(r);
      }
      const x2 = s.reshape(x, [rows, width]);
      const scatter = (idx: tf.TensorInfo, updates: tf.TensorInfo) =>
        s.reshape(s.run('ScatterNd', { indices: idx, updates }, { shape: [numSegments, width] }), outShape);
      if (keep.length === rows) {
        const idx = s.reshape(segmentIds.dtype === 'int32' ? segmentIds : s.run('Cast', { x: segmentIds }, { dtype: 'int32' }), [rows, 1]);
        return scatter(idx, x2);
      }
      if (keep.length === 0) return s.run('Fill', {}, { shape: outShape, value: 0, dtype: x.dtype });
      const keptRows = s.own(s.backend.makeOutput([keep.length], 'int32', undefined, Int32Array.from(keep)));
      const keptIds = s.own(s.backend.makeOutput([keep.length, 1], 'int32', undefined, Int32Array.from(keep, (r) => Number(ids[r]))));
      const updates = s.run('GatherV2', { x: x2, indices: keptRows }, { axis: 0, batchDims: 0 });
      return scatter(keptIds, updates);
    });
  },
};
