import type { StrategyContext, TrackedTradeView } from './types.js';

/** The tick's context as a strategy outside this process sees it (JSON on a command's stdin). */
export interface ContextPayload {
  /** The scheduled moment of the tick, ISO 8601 UTC. */
  readonly time: string;
  readonly bridgeId: string;
  readonly instrument: string;
  /** BRIDGE_VOLUME: the volume of an order unless the signal says otherwise. */
  readonly volume: number;
  /** The trade the bridge holds, or null. */
  readonly tracked: TrackedTradeView | null;
}

export function contextPayload(ctx: Pick<StrategyContext, 'time' | 'bridgeId' | 'instrument' | 'volume' | 'tracked'>): ContextPayload {
  const t = ctx.tracked;
  return {
    time: ctx.time.toISOString(),
    bridgeId: ctx.bridgeId,
    instrument: ctx.instrument,
    volume: ctx.volume,
    tracked: t ? { tradeId: t.tradeId, side: t.side, volume: t.volume, instrument: t.instrument, openedAt: t.openedAt } : null,
  };
}
