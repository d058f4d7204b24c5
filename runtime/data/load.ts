/** Loading a program's data: the loader, then its transforms, with the result checked against the schema. */
import * as E from 'fp-ts/lib/Either.js';
import type { ConstArgs, DataError, Dataset, LoaderDef, Schema, TransformDef } from '../../stdlib/types.js';
import { exampleSize } from '../../stdlib/data/dataset.js';

export interface TransformUse {
  readonly def: TransformDef;
  readonly args: ConstArgs;
}

const showShape = (s: readonly (number | string)[]): string => `[${s.join(', ')}]`;

/**
 * Checks that a loaded data set has the fields, dtypes and known dimensions its loader promised,
 * and that every field holds `size` examples; a symbolic dimension matches any size.
 */
export const checkAgainstSchema = (who: string, ds: Dataset, schema: Schema): E.Either<DataError, Dataset> => {
  for (const [name, fs] of Object.entries(schema)) {
    const f = ds.fields[name];
    if (f === undefined) return E.left({ message: `${who} promised a field '${name}' but produced none` });
    if (f.dtype !== fs.dtype) return E.left({ message: `${who}: field '${name}' is ${f.dtype}, its schema says ${fs.dtype}` });
    const fits = f.shape.length === fs.shape.length && fs.shape.every((d, i) => typeof d === 'string' || d === f.shape[i]);
    if (!fits) {
      return E.left({ message: `${who}: field '${name}' has per-example shape ${showShape(f.shape)}, its schema says ${showShape(fs.shape)}` });
    }
  }
  for (const [name, f] of Object.entries(ds.fields)) {
    if (f.data.length !== ds.size * exampleSize(f.shape)) {
      return E.left({ message: `${who}: field '${name}' holds ${f.data.length} numbers, not ${ds.size} examples of ${showShape(f.shape)}` });
    }
  }
  return E.right(ds);
};

export const loadData = async (
  entry: LoaderDef,
  args: ConstArgs,
  transforms: readonly TransformUse[],
  baseDir: string,
): Promise<E.Either<DataError, Dataset>> => {
  const schema = entry.schema(args);
  if (E.isLeft(schema)) return E.left({ message: schema.left });
  const loaded = await entry.load(args, baseDir);
  if (E.isLeft(loaded)) return loaded;
  let ds = checkAgainstSchema(entry.name, loaded.right, schema.right);
  let current: Schema = schema.right;
  for (const tr of transforms) {
    if (E.isLeft(ds)) return ds;
    const next = tr.def.schema(current, tr.args);
    if (E.isLeft(next)) return E.left({ message: next.left });
    current = next.right;
    const applied = tr.def.apply(ds.right, tr.args);
    ds = E.isLeft(applied) ? applied : checkAgainstSchema(tr.def.name, applied.right, current);
  }
  return ds;
};

/** A data error as a researcher reads it: what was wrong, in which file, and how to fix it. */
export const formatDataError = (e: DataError): string =>
  [
    'error: could not load data',
    `  ${e.file !== undefined ? `${e.file}: ` : ''}${e.message}`,
    ...(e.hint !== undefined ? [`  hint: ${e.hint}`] : []),
  ].join('\n');
