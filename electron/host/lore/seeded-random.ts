/** Deterministic PRNG (mulberry32): runs are comparable, and a failing round can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the parts: a 32-bit seed for one named draw. */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A number in [0, 1) for one named draw under a seed (the probability roll of one entry, one group's roll).
 * Keyed by name rather than drawn in sequence, so adding an unrelated entry does not change another's roll.
 */
export function rollFor(seed: number, ...name: readonly (string | number)[]): number {
  return seededRandom(hashSeed(seed, ...name))();
}
