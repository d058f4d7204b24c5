/**
 * `random_erase(p: 0.5, min_area: 0.02, max_area: 0.33, min_aspect: 0.3)` (Zhong et al. 2020), a
 * baseline the SRN paper names: with probability p per example, one rectangle of the image, of
 * area fraction s ~ U[min_area, max_area] and aspect ratio r (log-uniform in [min_aspect,
 * 1/min_aspect]), is replaced by uniform noise in [0, 1] (all channels). A draw whose rectangle
 * does not fit is redrawn, up to 10 times, then the example is left as it is (the paper's rule).
 * Identity when deterministic. Input [H, W] or [H, W, C].
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef } from '../types.js';
import { must, numArg } from '../functions/args.js';
import { makeRng, type Rng } from '../data/random.js';
import { tfSeed } from '../random/tf-seed.js';

const specs: readonly ArgSpec[] = [
  { name: 'p', type: 'number', default: 0.5, doc: 'probability of erasing an example' },
  { name: 'min_area', type: 'number', default: 0.02 },
  { name: 'max_area', type: 'number', default: 0.33 },
  { name: 'min_aspect', type: 'number', default: 0.3 },
];

export interface EraseArgs {
  readonly p: number;
  readonly minArea: number;
  readonly maxArea: number;
  readonly minAspect: number;
}

const read = (a: ConstArgs): E.Either<string, EraseArgs> => {
  const get = (n: string): E.Either<string, number> => numArg('random_erase', a, specs, n);
  const [p, lo, hi, asp] = [get('p'), get('min_area'), get('max_area'), get('min_aspect')];
  if (E.isLeft(p)) return p;
  if (E.isLeft(lo)) return lo;
  if (E.isLeft(hi)) return hi;
  if (E.isLeft(asp)) return asp;
  if (p.right < 0 || p.right > 1) return E.left(`random_erase: p must lie in [0, 1], got ${p.right}`);
  if (!(lo.right > 0 && lo.right <= hi.right && hi.right <= 1)) return E.left(`random_erase: need 0 < min_area ≤ max_area ≤ 1, got ${lo.right} and ${hi.right}`);
  if (!(asp.right > 0 && asp.right <= 1)) return E.left(`random_erase: min_aspect must lie in (0, 1], got ${asp.right}`);
  return E.right({ p: p.right, minArea: lo.right, maxArea: hi.right, minAspect: asp.right });
};

/** A rectangle [top, left, height, width] of an H×W image, or undefined (not erased). */
export type Rect = readonly [number, number, number, number];

const MAX_TRIES = 10;

/** The rectangle one example gets (pure in the generator's draws). */
export const drawRect = (h: number, w: number, o: EraseArgs, rng: Rng): Rect | undefined => {
  if (rng.uniform() >= o.p) return undefined;
  for (let i = 0; i < MAX_TRIES; i++) {
    const area = (o.minArea + (o.maxArea - o.minArea) * rng.uniform()) * h * w;
    const logR = Math.log(o.minAspect) * (1 - 2 * rng.uniform());
    const r = Math.exp(logR);
    const eh = Math.round(Math.sqrt(area * r));
    const ew = Math.round(Math.sqrt(area / r));
    if (eh >= 1 && ew >= 1 && eh <= h && ew <= w) return [rng.int(h - eh + 1), rng.int(w - ew + 1), eh, ew];
  }
  return undefined;
};

export const randomErase: LayerDef = {
  kind: 'layer',
  name: 'random_erase',
  args: specs,
  stochastic: true,
  infer: (inShape, a) =>
    E.chain(() =>
      inShape.length === 2 || inShape.length === 3
        ? E.right({ params: [], outShape: inShape })
        : E.left(`random_erase expects images [H, W] or [H, W, C], got [${inShape.join(', ')}] (reshape(shape: [8, 8]) first)`),
    )(read(a)),
  apply: (_p, x, a, ctx) => {
    const o = must(read(a));
    if (!ctx.stochastic || o.p === 0) return tf.clone(x);
    const [b = 1, h = 1, w = 1] = x.shape;
    const per = x.size / (b * h * w);
    const rng = makeRng(ctx.nextSeed());
    const mask = new Float32Array(x.size);
    for (let i = 0; i < b; i++) {
      const rect = drawRect(h, w, o, rng);
      if (rect === undefined) continue;
      const [top, left, eh, ew] = rect;
      for (let r = top; r < top + eh; r++) for (let c = left; c < left + ew; c++) for (let k = 0; k < per; k++) mask[((i * h + r) * w + c) * per + k] = 1;
    }
    return tf.tidy(() => {
      const m = tf.tensor(mask, x.shape);
      const fill = tf.randomUniform(x.shape, 0, 1, 'float32', tfSeed(ctx.nextSeed()));
      return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(fill, m));
    });
  },
};
