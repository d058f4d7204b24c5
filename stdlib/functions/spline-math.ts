/**
 * B-spline arithmetic in float64 (plain JS): clamped uniform knot vectors, basis values and
 * derivatives by Cox–de Boor, and the roughness matrices Ω. Used to build constants once; the
 * tensor-valued basis lives in `bspline.ts`.
 */

/** Clamped uniform knots on [0, 1]: `knots` distinct breakpoints, the ends repeated `degree + 1` times. */
export const knotVector = (knots: number, degree: number): Float64Array => {
  const t = new Float64Array(knots + 2 * degree);
  for (let i = 0; i < t.length; i++) {
    const k = i - degree;
    t[i] = k <= 0 ? 0 : k >= knots - 1 ? 1 : k / (knots - 1);
  }
  return t;
};

export const basisCount = (knots: number, degree: number): number => knots + degree - 1;

const at = (t: Float64Array, i: number): number => t[i] ?? 0;
const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** All basis functions of `degree` at x ∈ [0, 1]; x = 1 belongs to the last interval. */
export const basisAt = (x: number, t: Float64Array, degree: number): Float64Array => {
  const m = t.length - 1;
  let last = m - 1;
  while (last > 0 && at(t, last) === at(t, last + 1)) last--;
  let n = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const lo = at(t, i);
    const hi = at(t, i + 1);
    n[i] = lo < hi && x >= lo && (x < hi || (i === last && x <= hi)) ? 1 : 0;
  }
  for (let k = 1; k <= degree; k++) {
    const next = new Float64Array(m - k);
    for (let i = 0; i < m - k; i++) {
      next[i] =
        ratio(x - at(t, i), at(t, i + k) - at(t, i)) * (n[i] ?? 0) +
        ratio(at(t, i + k + 1) - x, at(t, i + k + 1) - at(t, i + 1)) * (n[i + 1] ?? 0);
    }
    n = next;
  }
  return n;
};

/** The `order`-th derivative of every basis function of `degree` at x. */
export const basisDerivativeAt = (x: number, t: Float64Array, degree: number, order: number): Float64Array => {
  if (order === 0) return basisAt(x, t, degree);
  if (order > degree) return new Float64Array(t.length - degree - 1);
  const lower = basisDerivativeAt(x, t, degree - 1, order - 1);
  const out = new Float64Array(t.length - degree - 1);
  for (let i = 0; i < out.length; i++) {
    out[i] =
      degree *
      (ratio(lower[i] ?? 0, at(t, i + degree) - at(t, i)) - ratio(lower[i + 1] ?? 0, at(t, i + degree + 1) - at(t, i + 1)));
  }
  return out;
};

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton's method on P_m). */
export const gaussLegendre = (m: number): { readonly nodes: Float64Array; readonly weights: Float64Array } => {
  const nodes = new Float64Array(m);
  const weights = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (m + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= m; k++) {
        const pk = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = pk;
      }
      const pm = m === 1 ? z : p1;
      const pm1 = m === 1 ? 1 : p0;
      dp = (m * (z * pm - pm1)) / (z * z - 1);
      const dz = pm / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-15) break;
    }
    nodes[i] = z;
    weights[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { nodes, weights };
};

const normalizeByTrace = (a: Float64Array, n: number): Float64Array => {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += a[i * n + i] ?? 0;
  return a.map((v) => v / tr);
};

/** ∫₀¹ B''(x) B''(x)ᵀ dx, exact: B'' is a polynomial of degree − 2 on each knot interval. */
const integralOmega = (knots: number, degree: number): Float64Array => {
  const t = knotVector(knots, degree);
  const n = basisCount(knots, degree);
  const omega = new Float64Array(n * n);
  const { nodes, weights } = gaussLegendre(Math.max(degree, 2));
  for (let k = 0; k < knots - 1; k++) {
    const a = k / (knots - 1);
    const b = (k + 1) / (knots - 1);
    for (let q = 0; q < nodes.length; q++) {
      const x = (a + b) / 2 + ((b - a) / 2) * (nodes[q] ?? 0);
      const w = ((b - a) / 2) * (weights[q] ?? 0);
      const d2 = basisDerivativeAt(x, t, degree, 2);
      for (let i = 0; i < n; i++) {
        const di = d2[i] ?? 0;
        if (di === 0) continue;
        for (let j = 0; j < n; j++) omega[i * n + j] = (omega[i * n + j] ?? 0) + w * di * (d2[j] ?? 0);
      }
    }
  }
  return omega;
};

/** DᵀD for the second-difference operator D ((n − 2) × n, rows [1, −2, 1]). */
const differencesOmega = (n: number): Float64Array => {
  const omega = new Float64Array(n * n);
  const row = [1, -2, 1];
  for (let r = 0; r < n - 2; r++)
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++) {
        const idx = (r + a) * n + (r + b);
        omega[idx] = (omega[idx] ?? 0) + (row[a] ?? 0) * (row[b] ?? 0);
      }
  return omega;
};

const cache = new Map<string, Float64Array>();

/**
 * The roughness matrix Ω (row-major n × n, n = knots + degree − 1) normalized by its trace:
 * `integral` is ∫B''B''ᵀ over [0, 1], `differences` is DᵀD of second differences of the
 * coefficients. Requires knots ≥ 2 and degree ≥ 2 (integral) or n ≥ 3 (differences).
 */
export const smoothnessMatrix = (knots: number, degree: number, kind: 'integral' | 'differences'): Float64Array => {
  const key = `${knots}/${degree}/${kind}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const n = basisCount(knots, degree);
  const omega = normalizeByTrace(kind === 'integral' ? integralOmega(knots, degree) : differencesOmega(n), n);
  cache.set(key, omega);
  return omega;
};
