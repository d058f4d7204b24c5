/**
 * Checkpoints on disk: written atomically (temp file in the same folder, fsync, rename, fsync the
 * folder), so a crash mid-write leaves the previous checkpoint intact; loaded only after the
 * checksum, the format, the program and the seed all agree.
 */
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../exec/snapshot.js';
import { errnoCode } from '../folder/fs-errors.js';
import { decodeFile, encodeFile, type Header } from './format.js';
import { readBack } from './read-back.js';
import { fileToSnapshot, snapshotToFile, type Identity } from './serialize.js';

export const CHECKPOINT_FILE = 'checkpoint.xckpt';

export const checkpointPath = (dir: string): string => path.join(dir, CHECKPOINT_FILE);

/** Where a sweep with `select` keeps the chosen member's checkpoint, inside the run folder. */
export const SELECTED_DIR = 'selected';

/** The bytes into a new file `tmp`, on disk before the call returns. */
const writeSynced = async (tmp: string, bytes: Uint8Array, flag: 'w' | 'wx'): Promise<void> => {
  const fh = await fs.open(tmp, flag);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
};

/** A new or renamed entry of `dir` is durable only once the folder is on disk. */
const syncDir = async (dir: string): Promise<void> => {
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
};

/** Writes `bytes` to `file` so that readers see either the old file or the whole new one. */
export const writeAtomic = async (file: string, bytes: Uint8Array): Promise<void> => {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    await writeSynced(tmp, bytes, 'w');
    await fs.rename(tmp, file);
  } catch (e) {
    // A full disk: the half-written temp file goes, the previous file stays as it was.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
};

let exclusiveWrites = 0;

/**
 * Writes `bytes` to `file` unless a file of that name is there already: true when this call made it.
 * Readers see no file or the whole of it. (Created exclusively and then written, the file would be
 * empty or half there for a moment: a part of a population reading the exploit plan in that moment
 * found it unreadable.) Written aside, then hard-linked into place: a link to an existing name fails,
 * atomically, on local disks and NFS alike.
 */
export const writeExclusive = async (file: string, bytes: Uint8Array): Promise<boolean> => {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.new-${process.pid}-${exclusiveWrites++}`);
  try {
    await writeSynced(tmp, bytes, 'wx');
    try {
      await fs.link(tmp, file);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EEXIST') return false;
      // A file system without hard links (FAT, some FUSE mounts): the exclusive create, which a
      // reader can find half written for a moment (the exchange's readers read until it decodes).
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
      try {
        await fs.writeFile(file, bytes, { flag: 'wx' });
      } catch (e2) {
        if (errnoCode(e2) === 'EEXIST') return false;
        throw e2;
      }
    }
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
  await syncDir(dir);
  return true;
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
