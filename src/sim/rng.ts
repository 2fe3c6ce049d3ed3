/** Small deterministic PRNGs: the simulator must replay the same prices and faults for the same seed. */

export type Rng = () => number;

/** mulberry32: 32-bit state, good enough for test noise, and trivially reproducible across platforms. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, so a symbol name can feed a seed without depending on Map or object key order. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Folds several integers into one 32-bit seed; used where a value must be a pure function of its inputs. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Split into two 32-bit halves so bar indices beyond 2^32 still change the hash.
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    for (const v of [lo, hi]) {
      h ^= v;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** A uniform draw in [0, 1) that is a pure function of its inputs (no state to advance). */
export function hashUnit(...parts: number[]): number {
  return mulberry32(mixSeed(...parts))();
}
