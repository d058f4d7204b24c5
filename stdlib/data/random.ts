/**
 * A small seeded PRNG so that synthetic data, splits and batch orders are reproducible across
 * platforms and Node versions (Math.random is neither seedable nor specified).
 * xoshiro128** seeded through splitmix32, with Box–Muller normals.
 */

export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  readonly uniform: () => number;
  /** Standard normal N(0, 1). */
  readonly normal: () => number;
  /** Uniform integer in [0, n). */
  readonly int: (n: number) => number;
}

export const splitmix32 = (seed: number): (() => number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
};

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * Mixes several integers (a seed and, say, an epoch number) into one 32-bit seed, so that streams
 * for different (seed, epoch) pairs are unrelated rather than shifted copies of each other.
 */
export const mixSeeds = (...parts: readonly number[]): number => {
  let h = 0x811c9dc5;
  for (const p of parts) {
    // Seeds may be any finite number; fold the high bits in so that 2^32 + 1 and 1 differ.
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    for (const w of [lo, hi]) {
      h = Math.imul(h ^ w, 0x01000193) >>> 0;
      h = splitmix32(h)();
    }
  }
  return h;
};

export const makeRng = (seed: number): Rng => {
  const sm = splitmix32(mixSeeds(seed));
  let s0 = sm();
  let s1 = sm();
  let s2 = sm();
  let s3 = sm();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  };
  const uniform = (): number => {
    const hi = next32() >>> 5; // 27 bits
    const lo = next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    let u = uniform();
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const int = (n: number): number => Math.floor(uniform() * n);
  return { uniform, normal, int };
};

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export const permutation = (n: number, rng: Rng): Int32Array => {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
};
