import type { Strategy } from '../../src/strategy/types.js';

/** Answers BUY, SELL, BUY, … at once: every tick after the first closes one trade and opens one. */
export function create(): Strategy {
  let buy = false;
  return {
    name: 'alternate',
    decide() {
      buy = !buy;
      return buy ? 'BUY' : 'SELL';
    },
  };
}
