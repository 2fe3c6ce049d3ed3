import type { TickResult } from '../bridge/run-tick.js';

export interface TickRecord {
  /** The scheduled moment (ISO). */
  readonly at: string;
  readonly outcome: 'ok' | 'failed' | 'lease_lost';
  readonly signal?: 'BUY' | 'SELL' | 'NONE';
  readonly opened?: { tradeId: string; side?: 'BUY' | 'SELL' };
  readonly closed: readonly { tradeId: string; outcome: string }[];
  /** From the scheduled moment to the open_order acknowledgement. */
  readonly latencyMs?: number;
  readonly ms: number;
  readonly error?: string;
}

export interface EquityPoint {
  /** Epoch ms. */
  readonly at: number;
  readonly realized: number;
  readonly unrealized: number;
}

export interface TickHistory {
  record(bridgeId: string, scheduledAt: Date, result: TickResult): TickRecord;
  ticks(bridgeId: string): readonly TickRecord[];
  last(bridgeId: string): TickRecord | undefined;
  /** How many of the latest ticks failed in a row. */
  failingStreak(bridgeId: string): number;
  equity(bridgeId: string): readonly EquityPoint[];
  addEquity(bridgeId: string, point: EquityPoint): void;
}

/**
 * What `run` remembers of each bridge for the status page, in memory and bounded (`limit`
 * entries per bridge, the oldest dropped): the journal is the record that lasts.
 */
export function createTickHistory(options: { limit?: number } = {}): TickHistory {
  const limit = options.limit ?? 500;
  const ticks = new Map<string, TickRecord[]>();
  const equity = new Map<string, EquityPoint[]>();
  const push = <T>(map: Map<string, T[]>, id: string, item: T) => {
    const list = map.get(id) ?? [];
    list.push(item);
    if (list.length > limit) list.splice(0, list.length - limit);
    map.set(id, list);
  };
  return {
    record(bridgeId, scheduledAt, result) {
      const signal = result.signal ? (result.signal.side ?? 'NONE') : undefined;
      const entry: TickRecord = {
        at: scheduledAt.toISOString(),
        outcome: result.ok ? 'ok' : result.error?.name === 'LeaseLostError' ? 'lease_lost' : 'failed',
        signal,
        opened: result.opened ? { tradeId: result.opened, side: result.signal?.side ?? undefined } : undefined,
        closed: result.closed.map((c) => ({ tradeId: c.tradeId, outcome: c.outcome })),
        latencyMs: result.latencyMs,
        ms: result.ms,
        error: result.error?.message,
      };
      push(ticks, bridgeId, entry);
      return entry;
    },
    ticks: (bridgeId) => ticks.get(bridgeId) ?? [],
    last: (bridgeId) => ticks.get(bridgeId)?.at(-1),
    failingStreak(bridgeId) {
      const list = ticks.get(bridgeId) ?? [];
      let n = 0;
      for (let i = list.length - 1; i >= 0 && list[i]?.outcome !== 'ok'; i -= 1) n += 1;
      return n;
    },
    equity: (bridgeId) => equity.get(bridgeId) ?? [],
    addEquity: (bridgeId, point) => push(equity, bridgeId, point),
  };
}
