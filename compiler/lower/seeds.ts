/**
 * Deterministic 32-bit seeds: every random draw of a run is a pure function of the run seed, the
 * step key and the draw's position, so reruns and resumed runs reproduce the same noise.
 */

/** The 32-bit finalizer of MurmurHash3: a bijection that spreads every input bit over the output. */
export const mix32 = (x: number): number => {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** A seed from two integers; order matters, so (key, 1) and (1, key) differ. */
export const combineSeeds = (a: number, b: number): number => mix32((mix32(a) ^ Math.imul((b | 0) + 0x9e3779b9, 0x27d4eb2d)) >>> 0);

/** FNV-1a over the UTF-16 units: stable across runs and platforms. */
export const hashString = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/** Streams drawn from one step key: separate salts keep the loss and a direction's draws apart. */
export const Salt = { loss: 1, direction: 2, observe: 3, implicit: 4 } as const;

/** A fresh seed per call: the draw counter hashed with the key, so the n-th draw is always the same. */
export const seedStream = (key: number, salt: number): (() => number) => {
  const base = combineSeeds(key, salt);
  let counter = 0;
  return () => combineSeeds(base, counter++);
};

/** The seed of a parameter's initializer: depends on its path only, so adding a parameter leaves the others. */
export const paramSeed = (seed: number, path: string): number => combineSeeds(seed, hashString(path));
