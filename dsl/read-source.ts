/**
 * Reading a program or an imported file: only regular files (a FIFO or /dev/zero would block or
 * never end), and at most MAX_SOURCE_BYTES (checked before reading, so nothing big is allocated).
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync, statSync } from 'node:fs';

/** 4 MiB: the longest program in programs/ is a few KB. */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export const fsErrorText = (e: unknown): string => {
  const code = (e as { code?: unknown }).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(e);
};

export const readSourceSync = (file: string): E.Either<string, string> => {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return E.left('is a directory');
    if (!st.isFile()) return E.left('is not a regular file (a device, pipe or socket); programs are read from files');
    if (st.size > MAX_SOURCE_BYTES) return E.left(`is ${st.size} bytes; a program file may have at most ${MAX_SOURCE_BYTES}`);
    return E.right(readFileSync(file, 'utf8'));
  } catch (e) {
    return E.left(fsErrorText(e));
  }
};
