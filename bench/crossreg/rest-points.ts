/** Rest points of each reading of cross-regularization along an exact float64 path (see fixed-points.ts). */
import { predict, type Path, type Problem } from '../../stdlib/baselines/index.js';

const regGrad = (reg: Problem, w: Float64Array): Float64Array => {
  const f = predict(reg, w);
  const g = new Float64Array(reg.d);
  for (let i = 0; i < reg.n; i++) {
    const r = (2 * ((f[i] ?? 0) - (reg.y[i] ?? 0))) / reg.n;
    for (let j = 0; j < reg.d; j++) g[j] = (g[j] ?? 0) + r * (reg.x[i * reg.d + j] ?? 0);
  }
  return g;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};
const matVec = (m: Float64Array, v: ArrayLike<number>, d: number): Float64Array => {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i] = (out[i] ?? 0) + (m[i * d + j] ?? 0) * (v[j] ?? 0);
  return out;
};

export interface RestPoint {
  readonly reading: string;
  readonly lam: number;
  readonly norm: number;
  readonly regMse: number;
}

/**
 * Every sign change of each reading's rest indicator I along the path. The level moves as
 * dc ∝ −I and c falls as λ rises, so a rest point is stable (attracting) where I goes from + to −
 * as λ increases; for cross-validation, a minimum is where the difference goes from − to +.
 */
export const restPoints = (path: Path, reg: Problem, omega: Float64Array): RestPoint[] => {
  const pts = path.points;
  const indicators: [string, (i: number) => number][] = [
    ['direction pair (gᵀΩβ = 0)', (i) => { const p = pts[i]; return p === undefined ? NaN : dot(regGrad(reg, p.w), matVec(omega, p.w, reg.d)); }],
    ['scale ρ·θ (gᵀβ = 0)', (i) => { const p = pts[i]; return p === undefined ? NaN : dot(regGrad(reg, p.w), p.w); }],
    ['cross-validation (d reg/dλ = 0)', (i) => (pts[i + 1]?.regMse ?? NaN) - (pts[i]?.regMse ?? NaN)],
  ];
  return indicators.flatMap(([reading, f]) => {
    const at: RestPoint[] = [];
    const cv = reading.startsWith('cross');
    for (let i = 0; i + 2 < pts.length; i++) {
      const a = f(i);
      const b = f(i + 1);
      const p = pts[i];
      const stable = cv ? a < 0 && b > 0 : a > 0 && b < 0;
      if (p !== undefined && Math.sign(a) !== Math.sign(b) && Number.isFinite(a) && Number.isFinite(b))
        at.push({ reading: `${reading}${stable ? (cv ? ', minimum' : ', stable') : cv ? ', maximum' : ', unstable'}`, lam: p.lam, norm: p.norm, regMse: p.regMse });
    }
    return at.length > 0 ? at : [{ reading: `${reading}: no rest point on the grid`, lam: NaN, norm: NaN, regMse: NaN }];
  });
};

