/** A seeded PRNG for tests: kill moments and fault draws repeat run after run. */
export { mulberry32 as seededRng } from '../../src/sim/rng.js';

/** A whole number in [min, max] drawn from `rng`. */
export function between(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}
