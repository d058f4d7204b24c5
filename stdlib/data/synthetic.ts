import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, Dataset, LoaderDef, Schema } from '../types.js';
import { dataError } from './errors.js';

/** A loader that generates its data from its decoded arguments alone (no file to read). */
export const syntheticLoader = <A>(
  name: string,
  args: readonly ArgSpec[],
  decode: (a: ConstArgs) => E.Either<string, A>,
  schema: (a: ConstArgs) => E.Either<string, Schema>,
  generate: (a: A) => Dataset,
): LoaderDef => ({
  kind: 'loader',
  name,
  args,
  schema,
  load: (a) => Promise.resolve(E.bimap((m: string) => dataError(m), generate)(decode(a))),
});
