/**
 * One run per folder: `run.lock` holds the pid and host of the run writing there. It is created
 * exclusively (O_EXCL), so two runs started at once cannot both own it; a lock whose process is
 * gone (a `kill -9`, a power cut) is taken over, since nobody will ever remove it otherwise. A lock
 * from another host cannot be checked and is respected.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errnoCode, fsReason } from './fs-errors.js';

export const LOCK_FILE = 'run.lock';

const LockC = t.type({ pid: t.number, host: t.string, started: t.string });
type Lock = t.TypeOf<typeof LockC>;

/** A lock file that does not decode is stale only once old: another run may be writing it right now. */
const UNREADABLE_STALE_MS = 10_000;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(e) === 'EPERM';
  }
};

const readLock = async (file: string): Promise<Lock | 'unreadable' | 'gone'> => {
  try {
    const d = LockC.decode(JSON.parse(await fs.readFile(file, 'utf8')));
    return d._tag === 'Right' ? d.right : 'unreadable';
  } catch (e) {
    return errnoCode(e) === 'ENOENT' ? 'gone' : 'unreadable';
  }
};

const isStale = async (file: string, holder: Lock | 'unreadable'): Promise<boolean> => {
  if (holder === 'unreadable') {
    const st = await fs.stat(file).catch(() => undefined);
    return st === undefined || Date.now() - st.mtimeMs > UNREADABLE_STALE_MS;
  }
  return holder.host === os.hostname() && !alive(holder.pid);
};

/** Takes `dir`'s lock; Right: a function that releases it. */
export const acquireLock = async (dir: string): Promise<E.Either<string, () => Promise<void>>> => {
  const file = path.join(dir, LOCK_FILE);
  const me: Lock = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(me) + '\n', { flag: 'wx' });
      return E.right(async () => {
        await fs.rm(file, { force: true }).catch(() => undefined);
      });
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') return E.left(`cannot write in ${dir}: ${fsReason(e)}`);
    }
    const holder = await readLock(file);
    if (holder === 'gone') continue;
    if (!(await isStale(file, holder))) {
      const who = holder === 'unreadable' ? 'another run (its lock file is being written)' : `another run (pid ${holder.pid} on ${holder.host}, since ${holder.started})`;
      return E.left(`${dir} is in use by ${who}; wait for it to end or choose another --out (a lock left by a crash on another host: delete ${file})`);
    }
    await fs.rm(file, { force: true }).catch(() => undefined);
  }
  return E.left(`${dir}: could not take the run lock ${file} (other runs keep taking it)`);
};
