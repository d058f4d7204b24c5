/** Creating a folder, with the real cause when it cannot be. */
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import { fsReason } from './fs-errors.js';

/** Creates a folder (and its parents); Node reports a read-only parent as ENOENT, so the real cause is asked for. */
export const makeFolder = async (dir: string): Promise<E.Either<string, void>> => {
  try {
    await fs.mkdir(dir, { recursive: true });
    return E.right(undefined);
  } catch (e) {
    const direct = await fs.mkdir(dir).then(
      () => undefined,
      (e2: unknown) => e2,
    );
    return direct === undefined ? E.right(undefined) : E.left(`cannot create ${dir}: ${fsReason(direct ?? e)}`);
  }
};
