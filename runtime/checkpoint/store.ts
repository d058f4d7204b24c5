/**
 * Checkpoints on disk: written atomically (temp file in the same folder, fsync, rename, fsync the
 * folder), so a crash mid-write leaves the previous checkpoint intact; loaded only after the
 * checksum, the format, the program and the seed all agree.
 */
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../exec/snapshot.js';
import { decodeFile, encodeFile, type Header } from './format.js';
import { readBack } from './read-back.js';
import { fileToSnapshot, snapshotToFile, type Identity } from './serialize.js';

export const CHECKPOINT_FILE = 'checkpoint.xckpt';

export const checkpointPath = (dir: string): string => path.join(dir, CHECKPOINT_FILE);

/** Where a sweep with `select` keeps the chosen member's checkpoint, inside the run folder. */
export const SELECTED_DIR = 'selected';

/** Writes `bytes` to `file` so that readers see either the old file or the whole new one. */
export const writeAtomic = async (file: string, bytes: Uint8Array): Promise<void> => {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    // A full disk: the half-written temp file goes, the previous file stays as it was.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  // The rename is durable only once the folder's entry is on disk.
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
};

export const saveCheckpoint = async (dir: string, s: Snapshot, id: Identity): Promise<void> => {
  await readBack(s);
  const { header, blob } = snapshotToFile(s, id);
  await writeAtomic(checkpointPath(dir), encodeFile(header, blob));
};

export interface Loaded {
  readonly header: Header;
  readonly snapshot: Snapshot;
}

/**
 * The latest checkpoint of a run folder. `expect.seed` undefined accepts the checkpoint's seed;
 * `expect.program` undefined accepts any program (reading a run's parameters, not resuming it).
 * Every refusal is a message naming the file and what is wrong.
 */
export const loadCheckpoint = async (dir: string, expect: { readonly program?: string; readonly seed?: number }): Promise<E.Either<string, Loaded>> => {
  const file = checkpointPath(dir);
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return E.left(code === 'ENOENT' ? `${file}: no checkpoint in ${dir} (was the run started with --out ${dir}?)` : `${file}: cannot read (${String(code)})`);
  }
  const decoded = decodeFile(buf);
  if (E.isLeft(decoded)) return E.left(`${file}: ${decoded.left}`);
  const { header, blob } = decoded.right;
  if (expect.program !== undefined && header.program !== expect.program) {
    return E.left(`${file}: this checkpoint belongs to another program (or the program, an imported file or a data file changed since): identity ${header.program.slice(0, 12)}…, now ${expect.program.slice(0, 12)}…`);
  }
  if (expect.seed !== undefined && header.seed !== expect.seed) {
    return E.left(`${file}: this checkpoint was made with seed ${header.seed}, not ${expect.seed}; resume with --seed ${header.seed}`);
  }
  const snap = fileToSnapshot(header, blob);
  if (E.isLeft(snap)) return E.left(`${file}: ${snap.left}`);
  return E.right({ header, snapshot: snap.right });
};
