import type { Policy } from '../config.js';
import type { TrackedTrade } from '../store/bridge-state.js';
import type { Side } from '../strategy/signal.js';

export interface TickPlan {
  readonly close: readonly TrackedTrade[];
  readonly open: Side | null;
}

/**
 * What a signal means for the trades the bridge holds.
 * reopen (the published example): close whatever is open, then open on BUY or SELL.
 * hold: keep a trade whose side the signal repeats; close on nothing; close then open on a flip.
 */
export function planTick(policy: Policy, side: Side | null, tracked: readonly TrackedTrade[]): TickPlan {
  if (policy === 'hold' && side !== null && tracked.length > 0 && tracked.every((t) => t.side === side)) {
    return { close: [], open: null };
  }
  return { close: tracked, open: side };
}
