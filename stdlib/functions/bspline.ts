/** The B-spline basis as a tensor function, and the smoothness penalty βᵀΩβ (paper §5.3). */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, FnDef, Shape } from '../types.js';
import { choiceArg, intArg, must } from './args.js';
import { fn, one } from './define.js';
import { showShape, sizeOf } from './shapes.js';
import { basisCount, knotVector, smoothnessMatrix } from './spline-math.js';

export { smoothnessMatrix } from './spline-math.js';

const bsplineSpec: readonly ArgSpec[] = [
  { name: 'knots', type: 'int', default: 15, doc: 'distinct knots on [0, 1], ends included' },
  { name: 'degree', type: 'int', default: 3 },
];
const smoothnessSpec: readonly ArgSpec[] = [
  ...bsplineSpec,
  { name: 'kind', type: 'string', default: 'integral', doc: '"integral" (∫B″B″ᵀ) or "differences" (DᵀD)' },
];

interface SplineArgs {
  readonly knots: number;
  readonly degree: number;
}

const splineArgs = (owner: string, o: ConstArgs, specs: readonly ArgSpec[]): E.Either<string, SplineArgs> => {
  const knots = intArg(owner, o, specs, 'knots', 2);
  if (E.isLeft(knots)) return knots;
  const degree = intArg(owner, o, specs, 'degree', 0);
  if (E.isLeft(degree)) return degree;
  return E.right({ knots: knots.right, degree: degree.right });
};

const smoothnessArgs = (o: ConstArgs): E.Either<string, SplineArgs & { readonly kind: 'integral' | 'differences' }> => {
  const s = splineArgs('smoothness', o, smoothnessSpec);
  if (E.isLeft(s)) return s;
  const kind = choiceArg('smoothness', o, smoothnessSpec, 'kind', ['integral', 'differences'] as const);
  if (E.isLeft(kind)) return kind;
  const { knots, degree } = s.right;
  if (kind.right === 'integral' && degree < 2)
    return E.left(`smoothness: kind "integral" needs degree ≥ 2 (B″ of degree ${degree} splines is zero)`);
  if (kind.right === 'differences' && basisCount(knots, degree) < 3)
    return E.left(`smoothness: kind "differences" needs at least 3 coefficients, got ${basisCount(knots, degree)}`);
  return E.right({ ...s.right, kind: kind.right });
};

/**
 * Cox–de Boor on a whole batch at once: level k holds every N_{i,k}(x) as columns of a [B, m − k]
 * matrix. x is clamped to [0, 1]; x = 1 belongs to the last knot interval.
 */
export const bsplineBasis = (x: tf.Tensor, knots: number, degree: number): tf.Tensor => {
  const t = Array.from(knotVector(knots, degree));
  const m = t.length - 1;
  const xc = tf.reshape(tf.clipByValue(x, 0, 1), [-1, 1]);
  const lower = t.slice(0, m);
  // The last interval is closed at 1, so its upper bound is pushed beyond reach.
  const upper = t.slice(1).map((u, i) => (i === knots + degree - 2 ? Number.POSITIVE_INFINITY : u));
  let n: tf.Tensor = tf.cast(
    tf.logicalAnd(tf.greaterEqual(xc, tf.tensor2d(lower, [1, m])), tf.less(xc, tf.tensor2d(upper, [1, m]))),
    'float32',
  );
  const inv = (d: number): number => (d === 0 ? 0 : 1 / d);
  for (let k = 1; k <= degree; k++) {
    const cols = m - k;
    const idx = Array.from({ length: cols }, (_, i) => i);
    const tl = tf.tensor2d(idx.map((i) => t[i] ?? 0), [1, cols]);
    const invL = tf.tensor2d(idx.map((i) => inv((t[i + k] ?? 0) - (t[i] ?? 0))), [1, cols]);
    const tr = tf.tensor2d(idx.map((i) => t[i + k + 1] ?? 0), [1, cols]);
    const invR = tf.tensor2d(idx.map((i) => inv((t[i + k + 1] ?? 0) - (t[i + 1] ?? 0))), [1, cols]);
    const left = tf.mul(tf.mul(tf.sub(xc, tl), invL), tf.slice(n, [0, 0], [-1, cols]));
    const right = tf.mul(tf.mul(tf.sub(tr, xc), invR), tf.slice(n, [0, 1], [-1, cols]));
    n = tf.add(left, right);
  }
  return n;
};

export const splines: readonly FnDef[] = [
  fn(
    'bspline',
    ['x'],
    ([s], o): E.Either<string, Shape> => {
      const a = splineArgs('bspline', o, bsplineSpec);
      if (E.isLeft(a)) return a;
      const xs = s ?? [];
      const batch = xs.length === 1 ? xs[0] : xs.length === 2 && xs[1] === 1 ? xs[0] : undefined;
      return batch === undefined
        ? E.left(`bspline expects points of shape [B] (or [B, 1]), got ${showShape(xs)}`)
        : E.right([batch, basisCount(a.right.knots, a.right.degree)]);
    },
    (args, o) => {
      const { knots, degree } = must(splineArgs('bspline', o, bsplineSpec));
      return bsplineBasis(one('bspline', args), knots, degree);
    },
    { options: bsplineSpec },
  ),
  fn(
    'smoothness',
    ['beta'],
    ([s], o): E.Either<string, Shape> => {
      const a = smoothnessArgs(o);
      if (E.isLeft(a)) return a;
      const n = basisCount(a.right.knots, a.right.degree);
      const size = sizeOf(s ?? []);
      return typeof size === 'number' && size !== n
        ? E.left(
            `smoothness with knots: ${a.right.knots}, degree: ${a.right.degree} expects ${n} coefficients, got ${showShape(s ?? [])}`,
          )
        : E.right([]);
    },
    (args, o) => {
      const { knots, degree, kind } = must(smoothnessArgs(o));
      const n = basisCount(knots, degree);
      const beta = tf.reshape(one('smoothness', args), [n, 1]);
      const omega = tf.tensor2d(Float32Array.from(smoothnessMatrix(knots, degree, kind)), [n, n]);
      return tf.reshape(tf.matMul(tf.matMul(beta, omega, true, false), beta), []);
    },
    { options: smoothnessSpec },
  ),
];
