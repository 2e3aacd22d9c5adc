/** Float output comparison for the oracle tests. Test-only. */

/** The largest |a − b| / max(|b|, floor · max|b|) over the elements (b is the reference). */
export function maxRelativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  floor = 1e-2,
): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const denom = Math.max(Math.abs(expected[i]!), floor * scale, Number.MIN_VALUE);
    const err = Math.abs(actual[i]! - expected[i]!) / denom;
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

/** A deterministic pseudo-random generator (mulberry32), for reproducible inputs. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
