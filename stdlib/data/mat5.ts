/**
 * A minimal reader of MATLAB level-5 MAT-files: numeric arrays stored as miMATRIX elements, either
 * plain or inside zlib-compressed miCOMPRESSED elements (what `save -v7` writes). Enough for data
 * sets shipped as .mat files (SVHN); cells, structs, sparse and complex arrays are listed by name
 * but carry no data.
 */
import { inflateSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { MAX_DATA_BYTES, mib } from './files.js';

export const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
} as const;

/** Array classes (the low byte of the array flags) that hold plain numbers. */
const NUMERIC_CLASSES = new Set([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

const ELEMENT_SIZE: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

export interface MatNumeric {
  /** Storage type of the elements (one of `MI`), which may be narrower than the array's class. */
  readonly type: number;
  readonly count: number;
  /** The i-th element, column-major. */
  readonly at: (i: number) => number;
  /** The raw bytes when the storage is unsigned bytes (fast path for images). */
  readonly uint8?: Uint8Array;
}

export interface MatVariable {
  readonly name: string;
  /** mxCLASS: 6 double, 7 single, 8 int8, 9 uint8, … */
  readonly mxClass: number;
  readonly dims: readonly number[];
  /** Present for real numeric arrays. */
  readonly real?: MatNumeric;
}

interface Tag {
  readonly type: number;
  readonly nbytes: number;
  readonly dataStart: number;
  readonly next: number;
}

const pad8 = (n: number): number => (n + 7) & ~7;

const readTag = (v: DataView, o: number, le: boolean): E.Either<string, Tag> => {
  if (o + 8 > v.byteLength) return E.left(`is truncated: a data element at byte ${o} has an incomplete tag`);
  const w0 = v.getUint32(o, le);
  if (w0 >>> 16 !== 0) {
    // Small data element: type and size share the first word, data lives in the second.
    return E.right({ type: w0 & 0xffff, nbytes: w0 >>> 16, dataStart: o + 4, next: o + 8 });
  }
  const nbytes = v.getUint32(o + 4, le);
  const dataStart = o + 8;
  if (dataStart + nbytes > v.byteLength) {
    return E.left(`is truncated: the data element at byte ${o} declares ${nbytes} bytes but only ${v.byteLength - dataStart} remain`);
  }
  // Compressed elements are not padded; all others are to a multiple of 8 bytes.
  const next = w0 === MI.COMPRESSED ? dataStart + nbytes : Math.min(v.byteLength, dataStart + pad8(nbytes));
  return E.right({ type: w0, nbytes, dataStart, next });
};

const numeric = (v: DataView, tag: Tag, le: boolean, where: string): E.Either<string, MatNumeric> => {
  const size = ELEMENT_SIZE[tag.type];
  if (size === undefined) return E.left(`${where}: unsupported storage type ${tag.type}`);
  const count = Math.floor(tag.nbytes / size);
  const base = tag.dataStart;
  const at = ((): ((i: number) => number) => {
    switch (tag.type) {
      case MI.INT8:
        return (i) => v.getInt8(base + i);
      case MI.UINT8:
        return (i) => v.getUint8(base + i);
      case MI.INT16:
        return (i) => v.getInt16(base + 2 * i, le);
      case MI.UINT16:
        return (i) => v.getUint16(base + 2 * i, le);
      case MI.INT32:
        return (i) => v.getInt32(base + 4 * i, le);
      case MI.UINT32:
        return (i) => v.getUint32(base + 4 * i, le);
      case MI.SINGLE:
        return (i) => v.getFloat32(base + 4 * i, le);
      case MI.DOUBLE:
        return (i) => v.getFloat64(base + 8 * i, le);
      case MI.INT64:
        return (i) => Number(v.getBigInt64(base + 8 * i, le));
      default:
        return (i) => Number(v.getBigUint64(base + 8 * i, le));
    }
  })();
  const uint8 = tag.type === MI.UINT8 ? new Uint8Array(v.buffer, v.byteOffset + base, count) : undefined;
  return E.right({ type: tag.type, count, at, ...(uint8 ? { uint8 } : {}) });
};

/** Parses the sub-elements of one miMATRIX element. */
const matrix = (v: DataView, tag: Tag, le: boolean, index: number): E.Either<string, MatVariable> => {
  const end = tag.dataStart + tag.nbytes;
  const inner = new DataView(v.buffer, v.byteOffset, end);
  const where = `variable ${index + 1}`;
  const flags = readTag(inner, tag.dataStart, le);
  if (E.isLeft(flags)) return flags;
  if (flags.right.type !== MI.UINT32 || flags.right.nbytes < 8) return E.left(`${where}: malformed array flags`);
  const flagWord = inner.getUint32(flags.right.dataStart, le);
  const mxClass = flagWord & 0xff;
  const complex = (flagWord & 0x800) !== 0;
  const dimsTag = readTag(inner, flags.right.next, le);
  if (E.isLeft(dimsTag)) return dimsTag;
  if (dimsTag.right.type !== MI.INT32) return E.left(`${where}: malformed dimensions`);
  const dims = Array.from({ length: dimsTag.right.nbytes / 4 }, (_, i) => inner.getInt32(dimsTag.right.dataStart + 4 * i, le));
  const nameTag = readTag(inner, dimsTag.right.next, le);
  if (E.isLeft(nameTag)) return nameTag;
  const name = new TextDecoder().decode(new Uint8Array(inner.buffer, inner.byteOffset + nameTag.right.dataStart, nameTag.right.nbytes));
  if (!NUMERIC_CLASSES.has(mxClass) || complex) return E.right({ name, mxClass, dims });
  const realTag = readTag(inner, nameTag.right.next, le);
  if (E.isLeft(realTag)) return realTag;
  const real = numeric(inner, realTag.right, le, `variable '${name}'`);
  if (E.isLeft(real)) return real;
  const expected = dims.reduce((a, d) => a * d, 1);
  if (real.right.count !== expected) {
    return E.left(`variable '${name}' has dimensions ${dims.join('×')} (${expected} elements) but stores ${real.right.count}`);
  }
  return E.right({ name, mxClass, dims, real: real.right });
};

const HEADER = 128;

/**
 * Reads every top-level variable of a level-5 MAT-file. Left: what is wrong, in words. The
 * compressed elements together may inflate to at most `cap` bytes: a small file cannot fill memory.
 */
export const readMat5 = (bytes: Uint8Array, cap = MAX_DATA_BYTES): E.Either<string, readonly MatVariable[]> => {
  if (bytes.length < HEADER) return E.left(`is too short to be a MAT-file (${bytes.length} bytes; the header alone is ${HEADER})`);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  if (text.startsWith('MATLAB 7.3')) {
    return E.left('is a MATLAB 7.3 (HDF5) MAT-file; only level-5 MAT-files are read (save it with -v7 or -v6)');
  }
  const indicator = String.fromCharCode(bytes[126] as number, bytes[127] as number);
  if (indicator !== 'IM' && indicator !== 'MI') {
    return E.left(`is not a MATLAB level-5 MAT-file (no endian indicator 'IM' or 'MI' at byte 126; found ${JSON.stringify(indicator)})`);
  }
  const le = indicator === 'IM';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vars: MatVariable[] = [];
  let o = HEADER;
  let inflatedSoFar = 0;
  while (o < view.byteLength) {
    const tag = readTag(view, o, le);
    if (E.isLeft(tag)) return tag;
    if (tag.right.type === MI.MATRIX) {
      const m = matrix(view, tag.right, le, vars.length);
      if (E.isLeft(m)) return m;
      vars.push(m.right);
    } else if (tag.right.type === MI.COMPRESSED) {
      let inflated: Buffer;
      const room = cap - inflatedSoFar;
      try {
        inflated = inflateSync(bytes.subarray(tag.right.dataStart, tag.right.dataStart + tag.right.nbytes), { maxOutputLength: Math.max(1, room) });
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return E.left(`inflates to more than ${mib(cap)} (the most a data file may hold); stopped there`);
        return E.left(`the compressed element at byte ${o} does not inflate (${e instanceof Error ? e.message : String(e)})`);
      }
      inflatedSoFar += inflated.byteLength;
      const iv = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      const itag = readTag(iv, 0, le);
      if (E.isLeft(itag)) return E.left(`the compressed element at byte ${o} holds an element that ${itag.left}`);
      if (itag.right.type === MI.MATRIX) {
        const m = matrix(iv, itag.right, le, vars.length);
        if (E.isLeft(m)) return m;
        vars.push(m.right);
      }
    }
    o = tag.right.next;
  }
  return E.right(vars);
};
