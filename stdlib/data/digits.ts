/**
 * `digits(path)`: UCI optical digits as shipped by scikit-learn: 64 pixels in 0..16 then the label,
 * no header. Pixels are scaled to 0..1.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, DataError, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, Str } from './args.js';
import { dataError } from './errors.js';
import { readMaybeGzip, resolveDataPath } from './files.js';
import { parseNumericCsv } from './csv_parse.js';

const PIXELS = 64;
const CLASSES = 10;

const args: readonly ArgSpec[] = [
  { name: 'path', type: 'string', default: 'data/digits.csv.gz', doc: '65 comma-separated integers per line' },
];
const Args = t.type({ path: Str });
type Args = t.TypeOf<typeof Args>;
const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('digits', args, Args, a);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (): Schema => ({
      x: { dtype: 'float32', shape: [PIXELS] },
      y: { dtype: 'int32', shape: [], classes: CLASSES },
    }),
  )(decode(a));

const HINT = 'the project ships it as data/digits.csv.gz; pass path: to use another copy';

const load = async (a: ConstArgs, baseDir: string): Promise<E.Either<DataError, Dataset>> => {
  const v = decode(a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  const file = await resolveDataPath(v.right.path, baseDir);
  const bytes = await readMaybeGzip(file, HINT);
  if (E.isLeft(bytes)) return bytes;
  const parsed = parseNumericCsv(file, bytes.right.toString('utf8'), { header: false });
  if (E.isLeft(parsed)) return parsed;
  const table = parsed.right;
  if (table.width !== PIXELS + 1) {
    return E.left(dataError(`has ${table.width} columns per line but digits needs ${PIXELS + 1} (64 pixels, then the label)`, file));
  }
  const x = new Float32Array(table.rows * PIXELS);
  const y = new Int32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    for (let c = 0; c <= PIXELS; c++) {
      const v = table.values[r * table.width + c] as number;
      const max = c < PIXELS ? 16 : CLASSES - 1;
      if (!Number.isInteger(v) || v < 0 || v > max) {
        const what = c < PIXELS ? `pixel ${c + 1}` : 'the label';
        return E.left(dataError(`row ${r + 1}: ${what} is ${v}, expected an integer in 0..${max}`, file));
      }
      if (c < PIXELS) x[r * PIXELS + c] = v / 16;
      else y[r] = v;
    }
  }
  return E.right({
    size: table.rows,
    fields: {
      x: { dtype: 'float32', shape: [PIXELS], data: x },
      y: { dtype: 'int32', shape: [], data: y, classes: CLASSES },
    },
  });
};

export const digits: LoaderDef = { kind: 'loader', name: 'digits', args, schema, load };
