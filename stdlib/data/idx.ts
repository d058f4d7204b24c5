/** `idx(images, labels)`: any IDX pair of unsigned-byte images [N, h, w] and labels [N], gzip or not. */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, DataError, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, Str } from './args.js';
import { dataError } from './errors.js';
import { resolveDataPath } from './files.js';
import { loadIdxPair } from './idx_format.js';

const args: readonly ArgSpec[] = [
  { name: 'images', type: 'string', doc: 'IDX file of images (magic 0x00000803)' },
  { name: 'labels', type: 'string', doc: 'IDX file of labels (magic 0x00000801)' },
];
const Args = t.type({ images: Str, labels: Str });
type Args = t.TypeOf<typeof Args>;
const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('idx', args, Args, a);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (): Schema => ({
      x: { dtype: 'float32', shape: ['H', 'W'] },
      y: { dtype: 'int32', shape: [] },
    }),
  )(decode(a));

const load = async (a: ConstArgs, baseDir: string): Promise<E.Either<DataError, Dataset>> => {
  const v = decode(a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  const images = await resolveDataPath(v.right.images, baseDir);
  const labels = await resolveDataPath(v.right.labels, baseDir);
  return loadIdxPair(images, labels, {});
};

export const idx: LoaderDef = { kind: 'loader', name: 'idx', args, schema, load };
