/** File-system failures in the user's words (a full disk is a sentence, not an errno). */

export const errnoCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;

const WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** Whether `e` is a failure of the disk or the folder rather than a bug (these end a run with one line). */
export const isFsFailure = (e: unknown): boolean => {
  const c = errnoCode(e);
  return c !== undefined && c in WORDS;
};

/** `no space left on the device (ENOSPC)`, or the error's own message. */
export const fsReason = (e: unknown): string => {
  const c = errnoCode(e);
  const w = c !== undefined ? WORDS[c] : undefined;
  if (w !== undefined && c !== undefined) return `${w} (${c})`;
  return e instanceof Error ? e.message : String(e);
};
