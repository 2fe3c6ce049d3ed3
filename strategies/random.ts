import type { Setting } from '../src/config/setting.js';
import type { Strategy, StrategyOptions } from '../src/strategy/types.js';

export const settings: readonly Setting[] = [
  { name: 'BRIDGE_SEED', optional: true, meaning: 'seed of the random sequence (unset: a new sequence every run)' },
];

/**
 * The published example's strategy: BUY, SELL or nothing with equal odds. BRIDGE_SEED makes
 * a run repeatable, which the demo and the tests rely on.
 */
export function create(options: StrategyOptions): Strategy {
  const seedText = options.settings.BRIDGE_SEED;
  const next = seedText === undefined ? Math.random : mulberry32(hashSeed(seedText));
  return {
    name: 'random',
    decide() {
      const roll = Math.floor(next() * 3);
      return roll === 0 ? 'BUY' : roll === 1 ? 'SELL' : null;
    },
  };
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
