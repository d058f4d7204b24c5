/** Reading data files with every failure turned into a `DataError` that names the file. */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { DataError } from '../types.js';
import { dataError } from './errors.js';

const errnoCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;

const describeFsError = (e: unknown): string => {
  switch (errnoCode(e)) {
    case 'ENOENT':
      return 'file not found';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return e instanceof Error ? `cannot read: ${e.message}` : 'cannot read';
  }
};

const exists = async (p: string): Promise<boolean> => {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
};

/**
 * A relative data path is looked up against the program's folder first, then its ancestors, so
 * that `csv("data/diabetes.csv")` works from `programs/crossreg/lasso.xreg` in the project tree.
 * When nothing exists the path against `baseDir` is returned, so the error names that one.
 */
export const resolveDataPath = async (p: string, baseDir: string): Promise<string> => {
  if (path.isAbsolute(p)) return p;
  for (const candidate of candidates(p, baseDir)) if (await exists(candidate)) return candidate;
  return path.resolve(baseDir, p);
};

/** `resolveDataPath` for `xreg check`, which reads a CSV's header synchronously. */
export const resolveDataPathSync = (p: string, baseDir: string): string =>
  path.isAbsolute(p) ? p : (candidates(p, baseDir).find((c) => existsSync(c)) ?? path.resolve(baseDir, p));

/** `p` against `baseDir` and each of its ancestors, nearest first. */
const candidates = (p: string, baseDir: string): string[] => {
  const out: string[] = [];
  for (let dir = path.resolve(baseDir); ; dir = path.dirname(dir)) {
    out.push(path.join(dir, p));
    if (path.dirname(dir) === dir) return out;
  }
};

/**
 * The most a data file may hold, on disk and decompressed: 1 GiB. Checked before reading (the
 * size on disk) and while decompressing (a gzip bomb stops at the cap instead of filling memory).
 */
export const MAX_DATA_BYTES = 2 ** 30;

export const mib = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;

export const readBytes = async (file: string, hint?: string): Promise<E.Either<DataError, Buffer>> => {
  try {
    const st = await stat(file);
    // A FIFO or /dev/zero would block or never end: data comes from regular files only.
    if (!st.isFile() && !st.isDirectory()) return E.left(dataError('is not a regular file (a device, pipe or socket); data is read from files', file, hint));
    if (st.size > MAX_DATA_BYTES) return E.left(dataError(`is ${mib(st.size)}; a data file may have at most ${mib(MAX_DATA_BYTES)}`, file, hint));
    return E.right(await readFile(file));
  } catch (e) {
    return E.left(dataError(describeFsError(e), file, hint));
  }
};

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Decompresses gzip data (recognized by its magic bytes, not the file name); other data passes through. */
export const maybeGunzip = (file: string, b: Buffer, cap = MAX_DATA_BYTES): E.Either<DataError, Buffer> => {
  if (!isGzip(b)) return E.right(b);
  try {
    return E.right(gunzipSync(b, { maxOutputLength: cap }));
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      return E.left(dataError(`decompresses to more than ${mib(cap)} (the most a data file may hold); stopped there`, file));
    }
    const why = e instanceof Error ? e.message : String(e);
    return E.left(dataError(`starts like gzip but does not decompress (${why}); the file may be truncated or corrupt`, file));
  }
};

/** Reads a file, decompressing it when it is gzip. */
export const readMaybeGzip = async (file: string, hint?: string): Promise<E.Either<DataError, Buffer>> => {
  const raw = await readBytes(file, hint);
  return E.isLeft(raw) ? raw : maybeGunzip(file, raw.right);
};
