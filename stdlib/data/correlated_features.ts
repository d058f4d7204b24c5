/**
 * Paper §5.1: `base` independent N(0,1) features, each copied `copies` times with N(0, noise²) added;
 * true coefficients alternate +1/−1 within each group; y = x·β + N(0, 1). Columns are group-major:
 * feature j·copies + k is copy k of base feature j.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, NonNegNumber, PosInt, Seed } from './args.js';
import { makeRng } from './random.js';
import { syntheticLoader } from './synthetic.js';

const args: readonly ArgSpec[] = [
  { name: 'base', type: 'int', default: 5, doc: 'independent base features' },
  { name: 'copies', type: 'int', default: 20, doc: 'noisy copies of each base feature' },
  { name: 'noise', type: 'number', default: 0.1, doc: 'standard deviation of the copy noise' },
  { name: 'n', type: 'int', default: 300, doc: 'examples' },
  { name: 'seed', type: 'int', default: 1 },
];

const Args = t.type({ base: PosInt, copies: PosInt, noise: NonNegNumber, n: PosInt, seed: Seed });
type Args = t.TypeOf<typeof Args>;

const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('correlated_features', args, Args, a);

/** The true coefficient of feature i: +1, −1, +1, … within each group of copies. */
export const correlatedBeta = (base: number, copies: number): Float64Array => {
  const beta = new Float64Array(base * copies);
  for (let j = 0; j < base; j++) for (let k = 0; k < copies; k++) beta[j * copies + k] = k % 2 === 0 ? 1 : -1;
  return beta;
};

export const generateCorrelated = (a: Args): Dataset => {
  const rng = makeRng(a.seed);
  const d = a.base * a.copies;
  const beta = correlatedBeta(a.base, a.copies);
  const x = new Float32Array(a.n * d);
  const y = new Float32Array(a.n);
  for (let i = 0; i < a.n; i++) {
    let dot = 0;
    for (let j = 0; j < a.base; j++) {
      const z = rng.normal();
      for (let k = 0; k < a.copies; k++) {
        const f = j * a.copies + k;
        const v = Math.fround(z + a.noise * rng.normal());
        x[i * d + f] = v;
        dot += v * (beta[f] as number);
      }
    }
    y[i] = dot + rng.normal();
  }
  return {
    size: a.n,
    fields: {
      x: { dtype: 'float32', shape: [d], data: x },
      y: { dtype: 'float32', shape: [], data: y },
    },
  };
};

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map((v: Args): Schema => ({
    x: { dtype: 'float32', shape: [v.base * v.copies] },
    y: { dtype: 'float32', shape: [] },
  }))(decode(a));

export const correlatedFeatures: LoaderDef = syntheticLoader('correlated_features', args, decode, schema, generateCorrelated);
