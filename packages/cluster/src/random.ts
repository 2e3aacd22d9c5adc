/**
 * A small seeded pseudo-random generator, so that clustering is deterministic for a given
 * seed on every platform. Marsaglia's xorshift32 (Marsaglia, "Xorshift RNGs", J. Stat. Softw.
 * 2003, shifts 13/17/5); the seed is first scrambled with the murmur3 32-bit finalizer so that
 * nearby seeds start far apart and seed 0 is usable.
 */

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

/** A deterministic generator for `seed` (any integer). */
export function seededRandom(seed: number): Random {
  // murmur3 fmix32 of the seed; xorshift needs a non-zero state.
  let h = (seed | 0) ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  let state = h === 0 ? 0x6d2b79f5 : h;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller), for tests and benchmarks. */
export function normalSample(random: Random): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
