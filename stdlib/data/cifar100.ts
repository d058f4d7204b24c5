/** `cifar100(dir, part, labels)`: the binary version (cifar-100-binary), fine or coarse labels. */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import type { ArgSpec, ConstArgs, DataError, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, oneOf, Str } from './args.js';
import { dataError } from './errors.js';
import { resolveDataPath } from './files.js';
import { loadCifarFiles } from './cifar_format.js';

const args: readonly ArgSpec[] = [
  { name: 'dir', type: 'string', doc: 'folder with train.bin and test.bin' },
  { name: 'part', type: 'string', default: 'train', doc: '"train" or "test"' },
  { name: 'labels', type: 'string', default: 'fine', doc: '"fine" (100 classes) or "coarse" (20 superclasses)' },
];
const Args = t.type({ dir: Str, part: oneOf('train', 'test'), labels: oneOf('fine', 'coarse') });
type Args = t.TypeOf<typeof Args>;
const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('cifar100', args, Args, a);

const classesOf = (labels: 'fine' | 'coarse'): number => (labels === 'fine' ? 100 : 20);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (v: Args): Schema => ({
      x: { dtype: 'float32', shape: [32, 32, 3] },
      y: { dtype: 'int32', shape: [], classes: classesOf(v.labels) },
    }),
  )(decode(a));

export const CIFAR100_HINT =
  'download the binary version (cifar-100-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html, ' +
  'extract it, and pass dir: the cifar-100-binary folder';

const load = async (a: ConstArgs, baseDir: string): Promise<E.Either<DataError, Dataset>> => {
  const v = decode(a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  const dir = await resolveDataPath(v.right.dir, baseDir);
  const fine = v.right.labels === 'fine';
  return loadCifarFiles(
    [path.join(dir, `${v.right.part}.bin`)],
    { labelBytes: 2, labelIndex: fine ? 1 : 0, classes: classesOf(v.right.labels), format: 'CIFAR-100' },
    CIFAR100_HINT,
  );
};

export const cifar100: LoaderDef = { kind: 'loader', name: 'cifar100', args, schema, load };
