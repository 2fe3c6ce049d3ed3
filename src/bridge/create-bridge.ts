import type { AlgogeneClient, Trade } from '../algogene/create-client.js';
import type { BridgeConfig } from '../config.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeState, TrackedTrade } from '../store/bridge-state.js';
import type { MarketData, Strategy } from '../strategy/types.js';
import { closeTrade, type CloseOutcome } from './close-trade.js';
import { locateTrade, type Location } from './locate-trade.js';
import { runTick, type TickResult } from './run-tick.js';

export interface BridgeStatus {
  readonly id: string;
  readonly tracked: readonly { trade: TrackedTrade; server: Location | { where: 'unknown'; error: string } }[];
  readonly pendingIntents: number;
}

export interface Bridge {
  readonly id: string;
  readonly config: BridgeConfig;
  tick(scheduledAt: Date): Promise<TickResult>;
  status(): Promise<BridgeStatus>;
  /** Closes every tracked trade now and forgets each one that is off the account. */
  closeAll(): Promise<{ tradeId: string; outcome: CloseOutcome | 'failed'; error?: string }[]>;
  openedTrades(): Promise<Trade[]>;
  close(): Promise<void>;
}

export interface BridgeDeps {
  readonly config: BridgeConfig;
  readonly client: AlgogeneClient;
  readonly state: BridgeState;
  readonly strategy: Strategy;
  readonly log: Logger;
  readonly dryRun?: boolean;
  readonly settleMs: number;
  readonly now?: () => number;
}

/** One strategy × account × instrument: the trading logic, with no schedule of its own. */
export function createBridge(deps: BridgeDeps): Bridge {
  const { config, client, state, log } = deps;
  const market: MarketData = {
    history: (options) => client.history({ instrument: options.instrument ?? config.instrument, count: options.count, interval: options.interval }),
  };
  return {
    id: config.id,
    config,
    tick: (scheduledAt) =>
      runTick({ bridge: config, client, state, strategy: deps.strategy, market, log, dryRun: deps.dryRun, now: deps.now, settleMs: deps.settleMs }, scheduledAt),
    async status() {
      const doc = await state.load();
      const tracked = await Promise.all(
        doc.trades.map(async (trade) => ({
          trade,
          server: await locateTrade(client, trade.tradeId).catch((error: Error) => ({ where: 'unknown' as const, error: error.message })),
        })),
      );
      return { id: config.id, tracked, pendingIntents: doc.intents.length };
    },
    async closeAll() {
      let doc = await state.load();
      const results: { tradeId: string; outcome: CloseOutcome | 'failed'; error?: string }[] = [];
      for (const trade of doc.trades) {
        try {
          const outcome = await closeTrade(client, log, trade, undefined);
          results.push({ tradeId: trade.tradeId, outcome });
          doc = { ...doc, trades: doc.trades.filter((t) => t.tradeId !== trade.tradeId) };
          await state.save(doc);
        } catch (error) {
          results.push({ tradeId: trade.tradeId, outcome: 'failed', error: (error as Error).message });
        }
      }
      return results;
    },
    openedTrades: () => client.openedTrades(),
    close: async () => {
      await deps.strategy.close?.();
    },
  };
}
