/**
 * Standard normal draws for the noise layers, fast and seeded. tfjs's `randomNormal` draws value
 * by value through seedrandom's Alea and a rejection (polar) step, an object call per number: 14%
 * of a `crossreg_noise` step. Here: xoshiro128** (32-bit integer state, seeded by splitmix32) and
 * Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000) with 128 layers: 98.8% of draws take
 * one 32-bit integer, a comparison and a multiplication; the rest (the wedges and the tail) are
 * drawn exactly by rejection. Written straight into a Float32Array. The same seed gives the same
 * numbers on every machine (integer state; the tables and the rare rejection steps are float64).
 */
import { makeRng, mixSeeds, splitmix32, xoshiroNext, type Rng } from '../data/random.js';

/** xoshiro128**'s state (four 32-bit words, never all zero), spread from one seed by splitmix32. */
const seedState = (seed: number): Uint32Array => {
  const mix = splitmix32(seed);
  const st = Uint32Array.of(mix(), mix(), mix(), mix());
  if ((st[0]! | st[1]! | st[2]! | st[3]!) === 0) st[0] = 1;
  return st;
};

/** Salt of the slow path's own stream. */
const SLOW_SALT = 0x5a1e;
const M1 = 2147483648;
const R = 3.442619855899;
const V = 9.91256303526217e-3;

/** The ziggurat's tables: kn (integer thresholds of the fast path), wn (scale), fn (density at each edge). */
const tables = (() => {
  const kn = new Int32Array(128);
  const wn = new Float64Array(128);
  const fn = new Float64Array(128);
  let dn = R;
  let tn = dn;
  const q = V / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * M1);
  kn[1] = 0;
  wn[0] = q / M1;
  wn[127] = dn / M1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * M1);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M1;
  }
  return { kn, wn, fn };
})();

/** A uniform draw that is never 0 (log of it is finite). */
const positive = (u: number): number => (u > 0 ? u : Number.MIN_VALUE);

/**
 * One standard normal draw that missed the fast path (1.2% of them): the wedge of layer `iz` or the
 * tail beyond R, drawn by rejection from `rng`, a stream of its own.
 */
const slow = (rng: Rng, hz0: number, iz0: number): number => {
  const { kn, wn, fn } = tables;
  let hz = hz0;
  let iz = iz0;
  for (;;) {
    const x = hz * wn[iz]!;
    if (iz === 0) {
      // The tail: Marsaglia's exact method for x > R.
      let tx: number;
      let ty: number;
      do {
        tx = -Math.log(positive(rng.uniform())) / R;
        ty = -Math.log(positive(rng.uniform()));
      } while (ty + ty < tx * tx);
      return hz > 0 ? R + tx : -R - tx;
    }
    const f0 = fn[iz]!;
    if (f0 + positive(rng.uniform()) * (fn[iz - 1]! - f0) < Math.exp(-0.5 * x * x)) return x;
    hz = rng.int(4294967296) | 0;
    iz = hz & 127;
    if (Math.abs(hz) < kn[iz]!) return hz * wn[iz]!;
  }
};

/**
 * `out.length` standard normal draws from `seed` (any number; the low 32 bits of its integer part
 * count), written into `out`, which is returned.
 */
export const gaussianInto = (out: Float32Array, seed: number): Float32Array => {
  const { kn, wn } = tables;
  const n = out.length;
  const seed32 = Math.trunc(seed);
  const words = new Int32Array(seedState(seed32).buffer);
  let rng: Rng | undefined;
  for (let i = 0; i < n; i++) {
    const hz = xoshiroNext(words);
    const iz = hz & 127;
    const k = kn[iz]!;
    if (Math.abs(hz) < k) {
      out[i] = hz * wn[iz]!;
      continue;
    }
    out[i] = slow((rng ??= makeRng(mixSeeds(seed32, SLOW_SALT))), hz, iz);
  }
  return out;
};

/** `n` standard normal draws from `seed` in a new array (the same values as `gaussianInto`). */
export const gaussianFill = (n: number, seed: number): Float32Array => gaussianInto(new Float32Array(n), seed);
