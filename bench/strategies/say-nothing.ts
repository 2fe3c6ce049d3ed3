import type { Strategy } from '../../src/strategy/types.js';

/** Answers NONE every tick: with nothing tracked, a tick has nothing to do. */
export function create(): Strategy {
  return {
    name: 'say-nothing',
    decide() {
      return null;
    },
  };
}
