/** `csv(path, target: "y", features: 0)`: a header row, a named target column, numeric cells. */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, DataError, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, NonNegInt, Str } from './args.js';
import { dataError } from './errors.js';
import { readMaybeGzip, resolveDataPath } from './files.js';
import { parseNumericCsv, type NumericTable } from './csv_parse.js';

const args: readonly ArgSpec[] = [
  { name: 'path', type: 'string', doc: 'CSV file (gzip allowed), relative to the program' },
  { name: 'target', type: 'string', default: 'y', doc: 'name of the target column' },
  { name: 'features', type: 'int', default: 0, doc: 'number of feature columns, checked on load; 0: known only after loading' },
];

const Args = t.type({ path: Str, target: Str, features: NonNegInt });
type Args = t.TypeOf<typeof Args>;

const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('csv', args, Args, a);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (v: Args): Schema => ({
      x: { dtype: 'float32', shape: [v.features > 0 ? v.features : 'F'] },
      y: { dtype: 'float32', shape: [] },
    }),
  )(decode(a));

/** Splits a parsed table into the feature matrix and the target column. */
export const tableToDataset = (file: string, table: NumericTable, a: Args): E.Either<DataError, Dataset> => {
  const header = table.header ?? [];
  const targetCol = header.indexOf(a.target);
  if (targetCol < 0) {
    return E.left(
      dataError(`has no column named '${a.target}' (its header has: ${header.join(', ')})`, file, "name the target column with target: \"...\""),
    );
  }
  const f = table.width - 1;
  if (f === 0) return E.left(dataError(`has only the target column '${a.target}' and no feature columns`, file));
  if (a.features > 0 && a.features !== f) {
    return E.left(dataError(`has ${f} feature columns but the program says features: ${a.features}`, file));
  }
  const x = new Float32Array(table.rows * f);
  const y = new Float32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    let k = 0;
    for (let c = 0; c < table.width; c++) {
      const v = table.values[r * table.width + c] as number;
      if (c === targetCol) y[r] = v;
      else x[r * f + k++] = v;
    }
  }
  return E.right({
    size: table.rows,
    fields: {
      x: { dtype: 'float32', shape: [f], data: x },
      y: { dtype: 'float32', shape: [], data: y },
    },
  });
};

const load = async (a: ConstArgs, baseDir: string): Promise<E.Either<DataError, Dataset>> => {
  const v = decode(a);
  if (E.isLeft(v)) return E.left(dataError(v.left));
  const file = await resolveDataPath(v.right.path, baseDir);
  const bytes = await readMaybeGzip(file);
  if (E.isLeft(bytes)) return bytes;
  const table = parseNumericCsv(file, bytes.right.toString('utf8'), { header: true });
  return E.isLeft(table) ? table : tableToDataset(file, table.right, v.right);
};

export const csv: LoaderDef = { kind: 'loader', name: 'csv', args, schema, load };
