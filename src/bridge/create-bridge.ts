import type { AlgogeneClient, Trade } from '../algogene/create-client.js';
import type { BridgeConfig } from '../config.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { Binding, BridgeState, BridgeStateDoc, TrackedTrade } from '../store/bridge-state.js';
import type { MarketData, Strategy } from '../strategy/types.js';
import { StoreForgotError } from '../store/store-forgot-error.js';
import { closeAll, type CloseReport } from './close-all.js';
import { NO_EVENTS, type BridgeEvents } from '../journal/bridge-events.js';
import { recordAdopted } from '../journal/trade-events.js';
import { createLeaseGuard } from './create-lease-guard.js';
import { findOrphans } from './find-orphans.js';
import { proveAccount, type AccountProof } from './prove-account.js';
import { locateTrade, type Location } from './locate-trade.js';
import { reconcileIntents } from './reconcile-intents.js';
import { queryTracked, type TrackedQuery } from './query-tracked.js';
import { runTick, type TickResult } from './run-tick.js';

export interface BridgeStatus {
  readonly id: string;
  readonly tracked: readonly { trade: TrackedTrade; server: Location }[];
  readonly pendingIntents: number;
  /** Trades with this bridge's orderRef prefix that the store does not track. */
  readonly orphans: readonly { trade: Trade; where: 'open' | 'pending' }[] | { error: string };
}

export type { CloseReport } from './close-all.js';

/** What started a tick: its schedule, or a signal from an event-driven strategy. */
export type TickTrigger = 'schedule' | 'event';

export interface Bridge {
  readonly id: string;
  readonly config: BridgeConfig;
  /**
   * `scheduledAt` is the scheduled moment, or for `trigger: 'event'` the moment the signal
   * arrived: the tick's latency counts from it.
   */
  tick(scheduledAt: Date, options?: { trigger?: TickTrigger; onAsk?: () => void }): Promise<TickResult>;
  /**
   * Shortly before `scheduledAt`: query the tracked trades (renewing the token if due), off the
   * critical path. Resolves (never rejects) once done.
   */
  prefetch(scheduledAt: Date): Promise<void>;
  /** Present when the strategy is event-driven: "a new signal arrived", to tick at once. */
  onSignal?(listener: (arrivedAt: number) => void): () => void;
  /** Before the first tick: settle intents left by a crash and report orphans on the account. */
  startup(): Promise<void>;
  status(): Promise<BridgeStatus>;
  /** Closes every tracked trade now and forgets each one that is off the account. */
  closeAll(options?: { adoptOrphans?: boolean }): Promise<CloseReport>;
  openedTrades(): Promise<Trade[]>;
  /** For `check`: the account, instrument and volume, proven with calls that change nothing. */
  proveAccount(): Promise<AccountProof>;
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
  /** The account the record is bound to, written with the first order. */
  readonly binding?: Binding;
  /** Held while this process may write for the bridge; renewed before every tick. */
  readonly lease?: BridgeLease;
  /** The journal's sink (and through it, notifications). */
  readonly events?: BridgeEvents;
}

/** A tick started by a signal with no prefetch ready: the close believes the store (see closeTrade). */
const NOTHING_KNOWN: TrackedQuery = { known: new Map(), done: Promise.resolve() };

/** One strategy × account × instrument: the trading logic, with no schedule of its own. */
export function createBridge(deps: BridgeDeps): Bridge {
  const { log } = deps;
  const config = eventDrivenPolicy(deps.config, deps.strategy, log);
  const now = deps.now ?? Date.now;
  // Every write of the state is fenced by the lease (in the store) and every order, close and
  // cancel waits for a lease that is ours for a while yet (here): a process that stalled past its
  // lease acts on nothing once it wakes.
  const guard = createLeaseGuard(deps.lease, log, now);
  const events = deps.events ?? NO_EVENTS;
  let lostJournaled = false;
  const journalLost = (error: Error) => {
    if (lostJournaled) return;
    lostJournaled = true;
    events.record({ type: 'lease', change: 'lost', reason: error.message });
  };
  const watched = guard.watchState(deps.state);
  // Counts the writes of the state (odd while one is in flight): the state a prefetch read is reused
  // by the tick only when nothing wrote it since, which spares a store read between the moment and
  // the order.
  let version = 0;
  const state: BridgeState = {
    load: () => watched.load(),
    async save(doc) {
      version += 1;
      try {
        await watched.save(doc);
      } finally {
        version += 1;
      }
    },
  };
  const epoch = () => deps.lease?.fence()?.epoch;
  const client = guard.watchClient(deps.client);
  const market: MarketData = {
    history: (options) => client.history({ instrument: options.instrument ?? config.instrument, count: options.count, interval: options.interval, before: options.before }),
  };
  let ahead: { at: number; query: TrackedQuery; doc: () => BridgeStateDoc | undefined } | undefined;
  /** Undefined when the bridge may act now; else why not. A store that forgot is rebuilt here first. */
  async function ready(): Promise<Error | undefined> {
    try {
      await guard.ensure();
      return undefined;
    } catch (error) {
      if (!(error instanceof StoreForgotError) || !guard.forgotten()) return error as Error;
    }
    try {
      await rebuild();
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }

  /**
   * The store lost this bridge's record: the server is the source of truth for its trades (its
   * orderRef prefix). Take the lease again, adopt every trade of the bridge on the account, and
   * only then trade again.
   */
  async function rebuild(): Promise<void> {
    await guard.retake();
    let doc = await state.load();
    const found = await findOrphans(deps.client, config.id, doc);
    const adopted = found.map(({ trade }) => ({ tradeId: trade.tradeId, orderRef: trade.orderRef, side: trade.side, volume: trade.volume, instrument: trade.instrument, openedAt: trade.timestamp ?? new Date(now()).toISOString() }));
    doc = { ...doc, trades: [...doc.trades, ...adopted] };
    await state.save(doc);
    log.warn({ adopted: found.map(({ trade, where }) => ({ tradeId: trade.tradeId, orderRef: trade.orderRef, where })) }, `the store lost its data: rebuilt this bridge's record from the server (${adopted.length} trade(s) adopted); trading resumes`);
  }

  return {
    id: config.id,
    config,
    async tick(scheduledAt, options = {}) {
      const event = options.trigger === 'event';
      // The lease was renewed by the prefetch (or the run loop's timer) moments ago; only a lease
      // about to lapse is renewed here, on the path from the scheduled moment to the order.
      const refused = await ready();
      if (refused && guard.lost()) journalLost(refused);
      if (refused) {
        ahead = undefined;
        log.warn({ scheduledAt: scheduledAt.toISOString(), error: refused.message, errorType: refused.name }, 'tick refused');
        return { ok: false, closed: [], error: refused, ms: 0 };
      }
      // A signal's tick uses whatever the latest prefetch learnt, however old: a trade that moved
      // since is found by the close's own look-up (closeTrade never acts blindly). Without one,
      // it does not wait for a query either: the signal is what investors are waiting for.
      const prefetched = event ? (ahead?.query ?? NOTHING_KNOWN) : ahead?.at === scheduledAt.getTime() ? ahead.query : undefined;
      const loaded = ahead?.doc();
      ahead = undefined;
      const tickLog = event ? log.child({ trigger: 'event' }) : log;
      const result = await runTick({ bridge: config, client, state, strategy: deps.strategy, market, log: tickLog, dryRun: deps.dryRun, now: deps.now, settleMs: deps.settleMs, prefetched, loaded, binding: deps.binding, events, onAsk: options.onAsk }, scheduledAt);
      // For whoever takes the bridge over should this process die: the moments missed count from here.
      if (!event) deps.lease?.ticked(scheduledAt);
      // A refused write or a lease found lost mid-tick stops the bridge, whatever the tick made of it.
      const lost = guard.lost();
      if (lost) journalLost(lost);
      return lost ? { ...result, ok: false, error: lost } : result;
    },
    async prefetch(scheduledAt) {
      const renewal = guard.renewAhead();
      const known = new Map<string, Location>();
      const from = { version, epoch: epoch() };
      let read: BridgeStateDoc | undefined;
      const done = state.load().then(
        (doc) => {
          // Read with no write in flight and none since, under the same lease: what the store holds.
          if (from.version % 2 === 0 && version === from.version) read = doc;
          // Shed first under a rate limit: the tick looks again on its own path if it must.
          return queryTracked(client.sheddable(), doc.trades, log, known).done;
        },
        () => undefined,
      );
      const current = () => (read !== undefined && version === from.version && epoch() === from.epoch ? read : undefined);
      ahead = { at: scheduledAt.getTime(), query: { known, done }, doc: current };
      await Promise.all([renewal, done]);
    },
    onSignal: deps.strategy.onSignal ? (listener) => deps.strategy.onSignal?.(listener) ?? (() => {}) : undefined,
    async startup() {
      try {
        let doc = await state.load();
        const before = doc;
        if (doc.intents.length > 0) doc = await reconcileIntents(client, state, doc, log, { now: (deps.now ?? Date.now)(), settleMs: deps.settleMs });
        recordAdopted(events, before, doc);
        for (const { trade, where } of await findOrphans(client, config.id, doc)) {
          events.record({ type: 'orphan', tradeId: trade.tradeId, orderRef: trade.orderRef, where });
          log.warn({ tradeId: trade.tradeId, orderRef: trade.orderRef, where }, 'orphan: a trade of this bridge on the account that the store does not track; close it with: close --adopt-orphans');
        }
      } catch (error) {
        log.warn({ error: (error as Error).message }, 'start-up check failed; the first tick tries again');
      }
    },
    async status() {
      const doc = await state.load();
      const tracked = await Promise.all(
        doc.trades.map(async (trade) => ({
          trade,
          server: await locateTrade(client, trade).catch((error: Error): Location => ({ where: 'unknown', detail: `server did not answer: ${error.message}` })),
        })),
      );
      const orphans = await findOrphans(client, config.id, doc).catch((error: Error) => ({ error: error.message }));
      return { id: config.id, tracked, pendingIntents: doc.intents.length, orphans };
    },
    closeAll: (options = {}) => closeAll({ client, state, log, bridgeId: config.id, settleMs: deps.settleMs, now, events }, options),
    openedTrades: () => client.openedTrades(),
    proveAccount: () => proveAccount(client, config),
    close: async () => {
      await deps.strategy.close?.();
    },
  };
}

/**
 * An event-driven strategy (stream:, file:, webhook) may repeat its signal: a repeated alert, a
 * rewritten file, the heartbeat tick re-reading the signal in force. With reopen each repeat
 * would close investors' trade and open the same again, so such a bridge always holds.
 */
function eventDrivenPolicy(config: BridgeConfig, strategy: Strategy, log: Logger): BridgeConfig {
  if (!strategy.onSignal || config.policy === 'hold') return config;
  log.info({ configured: config.policy }, 'event-driven strategy: policy hold (a repeated signal keeps the trade; the other side or NONE closes it)');
  return { ...config, policy: 'hold' };
}
