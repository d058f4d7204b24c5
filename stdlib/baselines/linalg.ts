/**
 * Dense float64 linear algebra for the small baseline problems (d ≤ a few hundred): row-major
 * matrices, Gram products and a Cholesky solve. Plain JS so that the baselines share nothing with
 * the tfjs code they check.
 */

/** A regression problem: n examples of d features (row-major x) and targets y. */
export interface Problem {
  readonly n: number;
  readonly d: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export const problem = (x: ArrayLike<number>, y: ArrayLike<number>, d: number): Problem => {
  const n = y.length;
  return { n, d, x: Float64Array.from(x), y: Float64Array.from(y) };
};

const at = (a: ArrayLike<number>, i: number): number => a[i] ?? 0;

/** XᵀX (d × d). */
export const gram = (p: Problem): Float64Array => {
  const g = new Float64Array(p.d * p.d);
  for (let i = 0; i < p.n; i++) {
    const o = i * p.d;
    for (let a = 0; a < p.d; a++) {
      const xa = at(p.x, o + a);
      if (xa === 0) continue;
      for (let b = a; b < p.d; b++) g[a * p.d + b] = at(g, a * p.d + b) + xa * at(p.x, o + b);
    }
  }
  for (let a = 0; a < p.d; a++) for (let b = 0; b < a; b++) g[a * p.d + b] = at(g, b * p.d + a);
  return g;
};

/** Xᵀv. */
export const xtv = (p: Problem, v: ArrayLike<number>): Float64Array => {
  const out = new Float64Array(p.d);
  for (let i = 0; i < p.n; i++) {
    const vi = at(v, i);
    const o = i * p.d;
    for (let j = 0; j < p.d; j++) out[j] = at(out, j) + at(p.x, o + j) * vi;
  }
  return out;
};

/** Xw. */
export const predict = (p: Problem, w: ArrayLike<number>): Float64Array => {
  const out = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) {
    let s = 0;
    const o = i * p.d;
    for (let j = 0; j < p.d; j++) s += at(p.x, o + j) * at(w, j);
    out[i] = s;
  }
  return out;
};

/** y − Xw. */
export const residual = (p: Problem, w: ArrayLike<number>): Float64Array => {
  const f = predict(p, w);
  return f.map((v, i) => at(p.y, i) - v);
};

/** Mean squared error of Xw against y. */
export const mse = (p: Problem, w: ArrayLike<number>): number => {
  const r = residual(p, w);
  let s = 0;
  for (const v of r) s += v * v;
  return s / Math.max(1, p.n);
};

export const norm2 = (w: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += at(w, i) * at(w, i);
  return Math.sqrt(s);
};

export const norm1 = (w: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.abs(at(w, i));
  return s;
};

/**
 * Solves A z = b for a symmetric positive definite d × d matrix A by Cholesky; undefined when A is
 * not numerically positive definite.
 */
export const solveSPD = (a: Float64Array, b: ArrayLike<number>, d: number): Float64Array | undefined => {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = at(a, i * d + j);
      for (let k = 0; k < j; k++) s -= at(l, i * d + k) * at(l, j * d + k);
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / at(l, j * d + j);
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = at(b, i);
    for (let k = 0; k < i; k++) s -= at(l, i * d + k) * at(z, k);
    z[i] = s / at(l, i * d + i);
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = at(z, i);
    for (let k = i + 1; k < d; k++) s -= at(l, k * d + i) * at(z, k);
    z[i] = s / at(l, i * d + i);
  }
  return z;
};

export const logspace = (a: number, b: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => 10 ** (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
