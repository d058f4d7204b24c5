/** `cifar10(dir, part)`: the binary version (cifar-10-batches-bin). */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import type { ArgSpec, ConstArgs, DataError, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, oneOf, Str } from './args.js';
import { dataError } from './errors.js';
import { resolveDataPath } from './files.js';
import { loadCifarFiles } from './cifar_format.js';

const args: readonly ArgSpec[] = [
  { name: 'dir', type: 'string', doc: 'folder with data_batch_1.bin .. data_batch_5.bin and test_batch.bin' },
  { name: 'part', type: 'string', default: 'train', doc: '"train" or "test"' },
];
const Args = t.type({ dir: Str, part: oneOf('train', 'test') });
type Args = t.TypeOf<typeof Args>;
const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('cifar10', args, Args, a);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (): Schema => ({
      x: { dtype: 'float32', shape: [32, 32, 3] },
      y: { dtype: 'int32', shape: [], classes: 10 },
    }),
  )(decode(a));

export const CIFAR10_HINT =
  'download the binary version (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html, ' +
  'extract it, and pass dir: the cifar-10-batches-bin folder';

export const cifar10Files = (dir: string, part: 'train' | 'test'): readonly string[] =>
  part === 'train'
    ? [1, 2, 3, 4, 5].map((k) => path.join(dir, `data_batch_${k}.bin`))
    : [path.join(dir, 'test_batch.bin')];

const load = async (a: ConstArgs, baseDir: string): Promise<E.Either<DataError, Dataset>> => {
  const v = decode(a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  const dir = await resolveDataPath(v.right.dir, baseDir);
  return loadCifarFiles(cifar10Files(dir, v.right.part), { labelBytes: 1, labelIndex: 0, classes: 10, format: 'CIFAR-10' }, CIFAR10_HINT);
};

export const cifar10: LoaderDef = { kind: 'loader', name: 'cifar10', args, schema, load };
