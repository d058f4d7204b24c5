/**
 * The IDX format of MNIST and Fashion-MNIST: a 4-byte magic (0, 0, element type, number of
 * dimensions), the dimensions as big-endian uint32, then the elements in row-major order.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { DataError, Dataset } from '../types.js';
import { dataError } from './errors.js';
import { readMaybeGzip } from './files.js';

const UBYTE = 0x08;

export interface IdxArray {
  readonly dims: readonly number[];
  /** The elements (unsigned bytes), a view on the file's buffer. */
  readonly data: Uint8Array;
}

const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Parses an IDX file of unsigned bytes with `ndims` dimensions; `role` names it in messages. */
export const parseIdx = (
  file: string,
  b: Uint8Array,
  ndims: number,
  role: 'images' | 'labels',
): E.Either<DataError, IdxArray> => {
  const expected = (UBYTE << 8) | ndims;
  if (b.length < 4) return E.left(dataError(`is too short to be an IDX file (${b.length} bytes; the header alone is ${4 + 4 * ndims})`, file));
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expected) {
    return E.left(dataError(`bad IDX magic ${hex8(magic)} (expected ${hex8(expected)} for ${role})`, file));
  }
  const headerBytes = 4 + 4 * ndims;
  if (b.length < headerBytes) {
    return E.left(dataError(`is truncated: the IDX header needs ${headerBytes} bytes but the file has ${b.length}`, file));
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, d) => a * d, 1);
  const have = b.length - headerBytes;
  if (have < count) {
    return E.left(
      dataError(`is truncated: its header declares ${dims.join('×')} bytes of ${role} (${count}) but only ${have} follow`, file),
    );
  }
  if (have > count) {
    return E.left(dataError(`has ${have - count} bytes after the ${dims.join('×')} ${role} its header declares`, file));
  }
  return E.right({ dims, data: b.subarray(headerBytes, headerBytes + count) });
};

/**
 * Reads an images file ([N, h, w] bytes) and a labels file ([N] bytes), gzip or not, into
 * x: [h, w] float in 0..1 and y: [] int. `classes` when known (Fashion-MNIST: 10), else max + 1.
 */
export const loadIdxPair = async (
  imagesFile: string,
  labelsFile: string,
  opts: { readonly hint?: string; readonly classes?: number; readonly limit?: number },
): Promise<E.Either<DataError, Dataset>> => {
  const imgBytes = await readMaybeGzip(imagesFile, opts.hint);
  if (E.isLeft(imgBytes)) return imgBytes;
  const lblBytes = await readMaybeGzip(labelsFile, opts.hint);
  if (E.isLeft(lblBytes)) return lblBytes;
  const images = parseIdx(imagesFile, imgBytes.right, 3, 'images');
  if (E.isLeft(images)) return images;
  const labels = parseIdx(labelsFile, lblBytes.right, 1, 'labels');
  if (E.isLeft(labels)) return labels;
  const [n, h, w] = images.right.dims as [number, number, number];
  const m = labels.right.dims[0] as number;
  if (m !== n) {
    return E.left(dataError(`labels file has ${m} items but images file has ${n} (${imagesFile})`, labelsFile));
  }
  const size = opts.limit !== undefined ? Math.min(opts.limit, n) : n;
  const x = new Float32Array(size * h * w);
  for (let i = 0; i < x.length; i++) x[i] = (images.right.data[i] as number) / 255;
  const y = new Int32Array(size);
  let max = -1;
  for (let i = 0; i < size; i++) {
    const v = labels.right.data[i] as number;
    y[i] = v;
    if (v > max) max = v;
  }
  const classes = opts.classes ?? max + 1;
  if (max >= classes) {
    return E.left(dataError(`has label ${max} but this data set has ${classes} classes (0..${classes - 1})`, labelsFile));
  }
  return E.right({
    size,
    fields: {
      x: { dtype: 'float32', shape: [h, w], data: x },
      y: { dtype: 'int32', shape: [], data: y, classes },
    },
  });
};
