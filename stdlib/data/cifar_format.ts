/**
 * The CIFAR binary format: fixed-size records of 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine)
 * label bytes followed by a 32×32×3 image stored channel-major (1024 red, 1024 green, 1024 blue,
 * each row-major). Images are returned height-width-channel, scaled to 0..1.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { DataError, Dataset } from '../types.js';
import { dataError } from './errors.js';
import { readBytes } from './files.js';

export const CIFAR_PIXELS = 32 * 32 * 3;

export interface CifarLayout {
  /** Label bytes before each image. */
  readonly labelBytes: 1 | 2;
  /** Which label byte to use. */
  readonly labelIndex: 0 | 1;
  readonly classes: number;
  /** Name of the format in messages. */
  readonly format: 'CIFAR-10' | 'CIFAR-100';
}

/** Converts one record's channel-major image into `out` at `offset`, height-width-channel. */
const chwToHwc = (src: Uint8Array, out: Float32Array, offset: number): void => {
  for (let ch = 0; ch < 3; ch++) {
    for (let p = 0; p < 1024; p++) out[offset + p * 3 + ch] = (src[ch * 1024 + p] as number) / 255;
  }
};

interface Records {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly count: number;
}

const checkRecords = (file: string, bytes: Uint8Array, layout: CifarLayout): E.Either<DataError, Records> => {
  const rec = layout.labelBytes + CIFAR_PIXELS;
  if (bytes.length === 0) return E.left(dataError('is empty', file));
  if (bytes.length % rec !== 0) {
    const whole = Math.floor(bytes.length / rec);
    return E.left(
      dataError(
        `has ${bytes.length} bytes, not a whole number of ${rec}-byte records (${whole} records and ${bytes.length - whole * rec} bytes left over); ` +
          `the file is truncated or not in the ${layout.format} binary format`,
        file,
      ),
    );
  }
  const count = bytes.length / rec;
  // Both label bytes of CIFAR-100 are checked, whichever is used: a wrong one means a wrong file.
  const limits = layout.labelBytes === 2 ? [20, 100] : [layout.classes];
  const names = layout.labelBytes === 2 ? ['coarse label', 'fine label'] : ['label'];
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < layout.labelBytes; k++) {
      const label = bytes[i * rec + k] as number;
      const limit = limits[k] as number;
      if (label >= limit) {
        const name = names[k] as string;
        return E.left(dataError(`record ${i + 1} has ${name} ${label}, but ${layout.format} ${name}s are 0..${limit - 1}`, file));
      }
    }
  }
  return E.right({ file, bytes, count });
};

/** Reads and concatenates CIFAR binary files, checking sizes and label ranges. */
export const loadCifarFiles = async (
  files: readonly string[],
  layout: CifarLayout,
  hint: string,
): Promise<E.Either<DataError, Dataset>> => {
  const parts: Records[] = [];
  for (const f of files) {
    const b = await readBytes(f, hint);
    if (E.isLeft(b)) return b;
    const r = checkRecords(f, b.right, layout);
    if (E.isLeft(r)) return r;
    parts.push(r.right);
  }
  const size = parts.reduce((s, p) => s + p.count, 0);
  const rec = layout.labelBytes + CIFAR_PIXELS;
  const x = new Float32Array(size * CIFAR_PIXELS);
  const y = new Int32Array(size);
  let i = 0;
  for (const p of parts) {
    for (let r = 0; r < p.count; r++, i++) {
      y[i] = p.bytes[r * rec + layout.labelIndex] as number;
      chwToHwc(p.bytes.subarray(r * rec + layout.labelBytes, (r + 1) * rec), x, i * CIFAR_PIXELS);
    }
  }
  return E.right({
    size,
    fields: {
      x: { dtype: 'float32', shape: [32, 32, 3], data: x },
      y: { dtype: 'int32', shape: [], data: y, classes: layout.classes },
    },
  });
};
