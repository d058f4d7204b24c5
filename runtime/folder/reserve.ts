/**
 * Room for the last words on a full disk: a run keeps a small file of zeros in its folder and
 * deletes it when a write fails for lack of space, so the manifest can still say "failed" and
 * the metrics can still be trimmed. Deleted at the end of every run.
 */
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fsReason } from './fs-errors.js';

export const RESERVE_FILE = '.reserve';
/** A manifest is 1–4 KB; written atomically it needs twice that for a moment. */
export const RESERVE_BYTES = 16 * 1024;

/** Creates the reserve; Right: a function that frees it (safe to call twice). */
export const reserveSpace = async (dir: string): Promise<E.Either<string, () => Promise<void>>> => {
  const file = path.join(dir, RESERVE_FILE);
  const free = async (): Promise<void> => {
    await fs.rm(file, { force: true }).catch(() => undefined);
  };
  try {
    await fs.writeFile(file, Buffer.alloc(RESERVE_BYTES));
    return E.right(free);
  } catch (e) {
    await free();
    return E.left(`cannot write in ${dir}: ${fsReason(e)}`);
  }
};

