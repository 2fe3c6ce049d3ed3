import type { Trade } from '../algogene/create-client.js';
import type { Bridge } from '../bridge/create-bridge.js';
import { createLimiter } from '../bridge/create-limiter.js';
import type { Logger } from '../logging/create-logger.js';
import type { TrackedTrade } from '../store/bridge-state.js';
import type { Metrics } from './create-metrics.js';
import type { TickHistory } from './tick-history.js';

export interface TradeView extends TrackedTrade {
  /** As the server showed it at `checkedAt`; absent while pending or when the server did not answer. */
  readonly price?: number;
  readonly unrealizedPL?: number;
  readonly onServer: 'open' | 'not open';
}

export interface BridgeTrades {
  readonly trades: readonly TradeView[];
  readonly checkedAt?: string;
  readonly error?: string;
}

export interface TradeWatch {
  /** The last view, without asking anyone. */
  view(bridgeId: string): BridgeTrades;
  /** Looks again (the store, then one /opened_trades) unless a look is under way or was made within minIntervalMs. */
  refresh(bridgeId: string, options?: { force?: boolean }): Promise<BridgeTrades>;
}

export interface TradeWatchDeps {
  readonly bridges: readonly Bridge[];
  readonly tracked: (bridgeId: string) => Promise<readonly TrackedTrade[]>;
  readonly history: TickHistory;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly minIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * The server's price and unrealised P&L of each bridge's tracked trades, looked up off the tick's
 * path (after a tick, or when someone asks), at most once per minIntervalMs per bridge and a few
 * bridges at a time. Each look adds a point to the equity curve: a trade's last unrealised P&L
 * seen while open counts as realised once it is no longer open (ALGOGENE's close reply carries no P&L).
 */
export function createTradeWatch(deps: TradeWatchDeps): TradeWatch {
  const now = deps.now ?? Date.now;
  const minIntervalMs = deps.minIntervalMs ?? 5_000;
  const limit = createLimiter(4);
  const byId = new Map(deps.bridges.map((b) => [b.id, b]));
  const views = new Map<string, BridgeTrades>();
  const lastLook = new Map<string, number>();
  const inFlight = new Map<string, Promise<BridgeTrades>>();
  const lastPL = new Map<string, Map<string, number>>();
  const realized = new Map<string, number>();

  async function look(bridgeId: string): Promise<BridgeTrades> {
    const bridge = byId.get(bridgeId);
    if (!bridge) return { trades: [] };
    const at = now();
    lastLook.set(bridgeId, at);
    let view: BridgeTrades;
    try {
      const tracked = await deps.tracked(bridgeId);
      const onServer = tracked.length > 0 ? new Map((await bridge.openedTrades()).map((t: Trade) => [t.tradeId, t])) : new Map<string, Trade>();
      const trades = tracked.map((t): TradeView => {
        const server = onServer.get(t.tradeId);
        return server ? { ...t, onServer: 'open', price: server.price, unrealizedPL: server.unrealizedPL } : { ...t, onServer: 'not open' };
      });
      view = { trades, checkedAt: new Date(at).toISOString() };
      account(bridgeId, trades, at);
    } catch (error) {
      view = { ...(views.get(bridgeId) ?? { trades: [] }), error: (error as Error).message };
      deps.log.warn({ bridge: bridgeId, error: view.error }, 'status: could not look up the trades');
    }
    views.set(bridgeId, view);
    return view;
  }

  function account(bridgeId: string, trades: readonly TradeView[], at: number): void {
    const seen = lastPL.get(bridgeId) ?? new Map<string, number>();
    // A trade no longer open on the server (closed, or being closed and not yet confirmed) is booked
    // at its last P&L seen, at once: waiting for it to leave the store would dip the curve meanwhile.
    const current = new Set(trades.filter((t) => t.onServer === 'open').map((t) => t.tradeId));
    let booked = realized.get(bridgeId) ?? 0;
    for (const [tradeId, pl] of seen) {
      if (current.has(tradeId)) continue;
      booked += pl;
      seen.delete(tradeId);
    }
    let unrealized = 0;
    for (const t of trades) {
      if (t.unrealizedPL === undefined) continue;
      seen.set(t.tradeId, t.unrealizedPL);
      unrealized += t.unrealizedPL;
    }
    lastPL.set(bridgeId, seen);
    realized.set(bridgeId, booked);
    deps.history.addEquity(bridgeId, { at, realized: round(booked), unrealized: round(unrealized) });
    // A trade being closed stays tracked until a look-up confirms it: only those open on the server count.
    deps.metrics.trades(bridgeId, trades.filter((t) => t.onServer === 'open').length, trades.some((t) => t.unrealizedPL !== undefined) ? round(unrealized) : undefined);
  }

  return {
    view: (bridgeId) => views.get(bridgeId) ?? { trades: [] },
    refresh(bridgeId, options = {}) {
      const running = inFlight.get(bridgeId);
      if (running) return running;
      if (!options.force && now() - (lastLook.get(bridgeId) ?? -Infinity) < minIntervalMs && views.has(bridgeId)) return Promise.resolve(views.get(bridgeId)!);
      const started = limit(() => look(bridgeId)).finally(() => inFlight.delete(bridgeId));
      inFlight.set(bridgeId, started);
      return started;
    },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
