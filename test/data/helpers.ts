/** Writers of small data files in the formats the loaders read, and temp-folder plumbing. */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import type { DataError, Dataset } from '../../stdlib/types.js';

export const tempDir = (): { dir: string; file: (name: string, data: Uint8Array | string) => string; cleanup: () => void } => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xreg-data-'));
  return {
    dir,
    file: (name, data) => {
      const p = path.join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
};

export const right = <A>(e: E.Either<DataError, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected success, got: ${JSON.stringify(e.left)}`);
  return e.right;
};

export const left = <A>(e: E.Either<DataError, A>): DataError => {
  if (E.isRight(e)) throw new Error('expected a DataError, got a data set');
  return e.left;
};

export const field = (ds: Dataset, name: string): NonNullable<Dataset['fields'][string]> => {
  const f = ds.fields[name];
  if (f === undefined) throw new Error(`no field ${name}`);
  return f;
};

// ---- IDX -------------------------------------------------------------------------------------

export const idxFile = (dims: readonly number[], data: Uint8Array, magicType = 0x08): Uint8Array => {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, (magicType << 8) | dims.length, false);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
};

export const gzip = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

/** Pixel (image i, row r, column c) of the test images: a formula the assertions recompute. */
export const pixel = (i: number, r: number, c: number): number => (i * 37 + r * 5 + c * 3) % 256;

export const imageBytes = (n: number, h: number, w: number): Uint8Array => {
  const b = new Uint8Array(n * h * w);
  for (let i = 0; i < n; i++) for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) b[(i * h + r) * w + c] = pixel(i, r, c);
  return b;
};

// ---- CIFAR -----------------------------------------------------------------------------------

/** Channel value of CIFAR test image `i` at (row, col, channel). */
export const cifarValue = (i: number, r: number, c: number, ch: number): number => (i * 13 + r * 7 + c * 3 + ch * 85) % 256;

/** CIFAR binary records: label bytes, then 1024 red, 1024 green, 1024 blue (row-major). */
export const cifarFile = (labels: readonly (readonly number[])[], firstImage = 0): Uint8Array => {
  const lb = labels[0]?.length ?? 1;
  const rec = lb + 3072;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((ls, k) => {
    ls.forEach((l, j) => (out[k * rec + j] = l));
    for (let ch = 0; ch < 3; ch++)
      for (let r = 0; r < 32; r++)
        for (let c = 0; c < 32; c++) out[k * rec + lb + ch * 1024 + r * 32 + c] = cifarValue(firstImage + k, r, c, ch);
  });
  return out;
};

// ---- MAT v5 ----------------------------------------------------------------------------------

const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_DOUBLE = 9;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** One data element, little-endian; data of at most 4 bytes in the small-element form. */
const element = (type: number, data: Uint8Array, small = true, le = true): Uint8Array => {
  if (small && data.length <= 4) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setUint32(0, (data.length << 16) | type, le);
    out.set(data, 4);
    return out;
  }
  const padded = (data.length + 7) & ~7;
  const out = new Uint8Array(8 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, data.length, le);
  out.set(data, 8);
  return out;
};

const int32s = (xs: readonly number[], le: boolean): Uint8Array => {
  const b = new Uint8Array(4 * xs.length);
  xs.forEach((x, i) => new DataView(b.buffer).setInt32(4 * i, x, le));
  return b;
};

export interface MatVar {
  readonly name: string;
  /** mxCLASS: 6 double, 9 uint8. */
  readonly mxClass: number;
  readonly dims: readonly number[];
  /** Column-major values. */
  readonly values: ArrayLike<number>;
  /** Storage: unsigned bytes or doubles. */
  readonly storage: 'uint8' | 'double';
}

export const matMatrix = (m: MatVar, le = true): Uint8Array => {
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, m.mxClass, le);
  const name = new TextEncoder().encode(m.name);
  let real: Uint8Array;
  if (m.storage === 'uint8') {
    real = element(MI_UINT8, Uint8Array.from(m.values), true, le);
  } else {
    const b = new Uint8Array(8 * m.values.length);
    for (let i = 0; i < m.values.length; i++) new DataView(b.buffer).setFloat64(8 * i, m.values[i] as number, le);
    real = element(MI_DOUBLE, b, true, le);
  }
  const body = concat([element(MI_UINT32, flags, false, le), element(MI_INT32, int32s(m.dims, le), false, le), element(MI_INT8, name, true, le), real]);
  return element(MI_MATRIX, body, false, le);
};

/** A level-5 MAT-file; `le: false` writes it big-endian (endian indicator 'MI'). */
export const matFile = (vars: readonly MatVar[], compressed: boolean, le = true): Uint8Array => {
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by the xreg test suite'), 0);
  header.fill(0, 116, 124);
  new DataView(header.buffer).setUint16(124, 0x0100, le);
  header[126] = (le ? 'I' : 'M').charCodeAt(0);
  header[127] = (le ? 'M' : 'I').charCodeAt(0);
  const elements = vars.map((v) => {
    const m = matMatrix(v, le);
    if (!compressed) return m;
    const z = new Uint8Array(deflateSync(m));
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(0, MI_COMPRESSED, le);
    new DataView(tag.buffer).setUint32(4, z.length, le);
    return concat([tag, z]);
  });
  return concat([header, ...elements]);
};

/** SVHN-shaped variables: X 32×32×3×N (column-major), y N×1 with labels 1..10. */
export const svhnVars = (labels: readonly number[]): MatVar[] => {
  const n = labels.length;
  const X = new Uint8Array(3072 * n);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < 3; ch++)
      for (let c = 0; c < 32; c++) for (let r = 0; r < 32; r++) X[r + 32 * c + 1024 * ch + 3072 * i] = cifarValue(i, r, c, ch);
  return [
    { name: 'X', mxClass: 9, dims: [32, 32, 3, n], values: X, storage: 'uint8' },
    { name: 'y', mxClass: 6, dims: [n, 1], values: labels, storage: 'double' },
  ];
};
