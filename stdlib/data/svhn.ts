/**
 * `svhn(path)`: SVHN cropped digits as shipped (`train_32x32.mat`, `test_32x32.mat`): a MAT-file
 * with X, 32×32×3×N uint8 (column-major: row, column, channel, image) and y, N×1 labels 1..10 where
 * 10 stands for the digit 0.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, DataError, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, Str } from './args.js';
import { dataError } from './errors.js';
import { readBytes, resolveDataPath } from './files.js';
import { readMat5, type MatVariable } from './mat5.js';

const args: readonly ArgSpec[] = [{ name: 'path', type: 'string', doc: 'train_32x32.mat or test_32x32.mat' }];
const Args = t.type({ path: Str });
type Args = t.TypeOf<typeof Args>;
const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('svhn', args, Args, a);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (): Schema => ({
      x: { dtype: 'float32', shape: [32, 32, 3] },
      y: { dtype: 'int32', shape: [], classes: 10 },
    }),
  )(decode(a));

export const SVHN_HINT = 'download train_32x32.mat or test_32x32.mat (format 2, cropped digits) from http://ufldl.stanford.edu/housenumbers/ and pass its path';

const PIXELS = 32 * 32 * 3;

/** Converts SVHN's column-major X and y into example-major HWC images in 0..1 and labels 0..9. */
export const svhnFromMat = (file: string, vars: readonly MatVariable[]): E.Either<DataError, Dataset> => {
  const names = vars.map((v) => v.name).join(', ') || 'none';
  const X = vars.find((v) => v.name === 'X');
  const Y = vars.find((v) => v.name === 'y');
  if (X === undefined) return E.left(dataError(`has no variable 'X' (its variables: ${names})`, file, SVHN_HINT));
  if (Y === undefined) return E.left(dataError(`has no variable 'y' (its variables: ${names})`, file, SVHN_HINT));
  const [h, w, c, n4] = X.dims;
  const n = X.dims.length === 3 ? 1 : (n4 ?? 0);
  if (h !== 32 || w !== 32 || c !== 3 || X.dims.length > 4) {
    return E.left(dataError(`variable X has dimensions ${X.dims.join('×')}, expected 32×32×3×N (SVHN cropped digits)`, file));
  }
  if (X.real === undefined) return E.left(dataError(`variable X is not a real numeric array (class ${X.mxClass})`, file));
  if (Y.real === undefined) return E.left(dataError(`variable y is not a real numeric array (class ${Y.mxClass})`, file));
  if (Y.dims.length !== 2 || !Y.dims.includes(1)) {
    return E.left(dataError(`variable y has dimensions ${Y.dims.join('×')}, expected N×1`, file));
  }
  if (Y.real.count !== n) return E.left(dataError(`y has ${Y.real.count} labels but X has ${n} images`, file));
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Y.real.at(i);
    if (!Number.isInteger(v) || v < 1 || v > 10) {
      return E.left(dataError(`label ${i + 1} is ${v}, expected a digit label 1..10 (10 stands for 0)`, file));
    }
    y[i] = v % 10;
  }
  const x = new Float32Array(n * PIXELS);
  const raw = X.real.uint8;
  const at = X.real.at;
  for (let img = 0; img < n; img++) {
    for (let ch = 0; ch < 3; ch++) {
      for (let col = 0; col < 32; col++) {
        for (let row = 0; row < 32; row++) {
          const src = row + 32 * col + 1024 * ch + PIXELS * img;
          const v = raw !== undefined ? (raw[src] as number) : at(src);
          x[img * PIXELS + (row * 32 + col) * 3 + ch] = v / 255;
        }
      }
    }
  }
  return E.right({
    size: n,
    fields: {
      x: { dtype: 'float32', shape: [32, 32, 3], data: x },
      y: { dtype: 'int32', shape: [], data: y, classes: 10 },
    },
  });
};

const load = async (a: ConstArgs, baseDir: string): Promise<E.Either<DataError, Dataset>> => {
  const v = decode(a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  const file = await resolveDataPath(v.right.path, baseDir);
  const bytes = await readBytes(file, SVHN_HINT);
  if (E.isLeft(bytes)) return bytes;
  const vars = readMat5(bytes.right);
  if (E.isLeft(vars)) return E.left(dataError(vars.left, file, SVHN_HINT));
  return svhnFromMat(file, vars.right);
};

export const svhn: LoaderDef = { kind: 'loader', name: 'svhn', args, schema, load };
