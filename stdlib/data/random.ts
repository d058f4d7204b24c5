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

/**
 * xoshiro128**'s next output word, as int32 (read it with >>>), advancing `s`: its four words as
 * int32. Held as unsigned numbers, words of 2³¹ or more would be boxed doubles in V8, a new object
 * at every step.
 */
export const xoshiroNext = (s: Int32Array): number => {
  const s0 = s[0]!;
  const s1 = s[1]!;
  const b5 = Math.imul(s1, 5);
  const result = Math.imul((b5 << 7) | (b5 >>> 25), 9);
  const s2 = s[2]! ^ s0;
  const s3 = s[3]! ^ s1;
  s[1] = s1 ^ s2;
  s[0] = s0 ^ s3;
  s[2] = s2 ^ (s1 << 9);
  s[3] = (s3 << 11) | (s3 >>> 21);
  return result;
};

export const makeRng = (seed: number): Rng => {
  const sm = splitmix32(mixSeeds(seed));
  const st = Int32Array.of(sm(), sm(), sm(), sm());
  if ((st[0]! | st[1]! | st[2]! | st[3]!) === 0) st[0] = 1;
  const next32 = (): number => xoshiroNext(st);
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
