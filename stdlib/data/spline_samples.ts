/**
 * Paper §5.3: y = sin 2πx + 0.5 sin 8πx + ε with ε ~ N(0, ((0.5 + x)σ)²). With `gaps`, x avoids
 * two intervals so that a fit must interpolate across them, which is where too little smoothing
 * shows. x is sorted, so plots of the samples read left to right.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, Dataset, LoaderDef, Schema } from '../types.js';
import { decodeArgs, NonNegNumber, PosInt, Seed } from './args.js';
import { makeRng } from './random.js';
import { syntheticLoader } from './synthetic.js';

const args: readonly ArgSpec[] = [
  { name: 'n', type: 'int', default: 20, doc: 'examples' },
  { name: 'sigma', type: 'number', default: 0.1, doc: 'noise level; the noise grows with x' },
  { name: 'seed', type: 'int', default: 0 },
  { name: 'gaps', type: 'bool', default: true, doc: 'leave x out of [0.25, 0.4) and [0.65, 0.75)' },
];

const Args = t.type({ n: PosInt, sigma: NonNegNumber, seed: Seed, gaps: t.boolean });
type Args = t.TypeOf<typeof Args>;

/** The intervals of x that hold no samples when `gaps` is on. */
export const SPLINE_GAPS: readonly (readonly [number, number])[] = [
  [0.25, 0.4],
  [0.65, 0.75],
];

export const splineTruth = (x: number): number => Math.sin(2 * Math.PI * x) + 0.5 * Math.sin(8 * Math.PI * x);

/** Maps u ∈ [0,1) uniformly onto [0,1) minus the gaps. */
const outsideGaps = (u: number): number => {
  const gapTotal = SPLINE_GAPS.reduce((s, [a, b]) => s + (b - a), 0);
  let x = u * (1 - gapTotal);
  for (const [a, b] of SPLINE_GAPS) if (x >= a) x += b - a;
  return x;
};

export const generateSpline = (a: Args): Dataset => {
  const rng = makeRng(a.seed);
  const xs = Array.from({ length: a.n }, () => (a.gaps ? outsideGaps(rng.uniform()) : rng.uniform())).sort(
    (p, q) => p - q,
  );
  const x = new Float32Array(a.n);
  const y = new Float32Array(a.n);
  xs.forEach((xi, i) => {
    x[i] = xi;
    y[i] = splineTruth(xi) + (0.5 + xi) * a.sigma * rng.normal();
  });
  return {
    size: a.n,
    fields: {
      x: { dtype: 'float32', shape: [], data: x },
      y: { dtype: 'float32', shape: [], data: y },
    },
  };
};

const decode = (a: ConstArgs): E.Either<string, Args> => decodeArgs('spline_samples', args, Args, a);

const schema = (a: ConstArgs): E.Either<string, Schema> =>
  E.map(
    (): Schema => ({
      x: { dtype: 'float32', shape: [] },
      y: { dtype: 'float32', shape: [] },
    }),
  )(decode(a));

export const splineSamples: LoaderDef = syntheticLoader('spline_samples', args, decode, schema, generateSpline);
