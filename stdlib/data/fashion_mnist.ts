/** `fashion_mnist(dir, part)`: Fashion-MNIST as Debian's `dataset-fashion-mnist` installs it. */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import type { ArgSpec, ConstArgs, DataError, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, oneOf, Str } from './args.js';
import { dataError } from './errors.js';
import { resolveDataPath } from './files.js';
import { loadIdxPair } from './idx_format.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const args: readonly ArgSpec[] = [
  { name: 'dir', type: 'string', default: FASHION_MNIST_DIR, doc: 'folder with the four IDX files' },
  { name: 'part', type: 'string', default: 'train', doc: '"train" (60,000) or "test" (10,000)' },
];
const Args = t.type({ dir: Str, part: oneOf('train', 'test') });
type Args = t.TypeOf<typeof Args>;
const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('fashion_mnist', args, Args, a);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (): Schema => ({
      x: { dtype: 'float32', shape: [28, 28] },
      y: { dtype: 'int32', shape: [], classes: 10 },
    }),
  )(decode(a));

const HINT =
  'install it with: apt-get install -y dataset-fashion-mnist, or pass dir: a folder holding ' +
  'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz';

const exists = async (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

/** The gzip file, or the same name without `.gz` when only that one was unpacked. */
const pick = async (dir: string, name: string): Promise<string> => {
  const gz = path.join(dir, `${name}.gz`);
  if (await exists(gz)) return gz;
  const raw = path.join(dir, name);
  return (await exists(raw)) ? raw : gz;
};

/** Reads `part` from `dir`, at most `limit` examples (tests read a few without decoding 60,000). */
export const loadFashionMnist = async (
  dir: string,
  part: 'train' | 'test',
  limit?: number,
): Promise<E.Either<DataError, Dataset>> => {
  const prefix = part === 'train' ? 'train' : 't10k';
  const images = await pick(dir, `${prefix}-images-idx3-ubyte`);
  const labels = await pick(dir, `${prefix}-labels-idx1-ubyte`);
  return loadIdxPair(images, labels, { hint: HINT, classes: 10, ...(limit !== undefined ? { limit } : {}) });
};

const load = async (a: ConstArgs, baseDir: string): Promise<E.Either<DataError, Dataset>> => {
  const v = decode(a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  return loadFashionMnist(await resolveDataPath(v.right.dir, baseDir), v.right.part);
};

export const fashionMnist: LoaderDef = { kind: 'loader', name: 'fashion_mnist', args, schema, load };
