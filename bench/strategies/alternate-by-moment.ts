import type { Strategy } from '../../src/strategy/types.js';

/**
 * BUY and SELL on alternate moments of a 20-second schedule, decided by the scheduled moment alone: whichever
 * fleet instance ticks a bridge answers the same, so every tick after the first closes one trade and opens one.
 */
export function create(): Strategy {
  return {
    name: 'alternate-by-moment',
    decide(ctx) {
      return Math.floor(ctx.time.getTime() / 20_000) % 2 === 0 ? 'BUY' : 'SELL';
    },
  };
}
