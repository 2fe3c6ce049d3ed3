import { createClient } from '../algogene/create-client.js';
import { createHttp, type Http } from '../algogene/create-http.js';
import { createRateGate, type RateGate } from '../algogene/rate-gate.js';
import { createSessionTokens, type SessionTokens } from '../algogene/session-tokens.js';
import { assertBinding, bindingOf } from '../bridge/bind-account.js';
import { createBridge, type Bridge } from '../bridge/create-bridge.js';
import { createLimiter } from '../bridge/create-limiter.js';
import type { BridgeConfig, Config } from '../config.js';
import type { Metrics } from '../http/create-metrics.js';
import type { Logger } from '../logging/create-logger.js';
import type { Secrets } from '../logging/secrets.js';
import { createBridgeLease, type BridgeLease } from '../store/bridge-lease.js';
import { FLEET_LEASE_TTL_MS } from '../fleet/fleet-lease-ttl.js';
import { createBridgeState } from '../store/bridge-state.js';
import { scheduleIntervalMs } from '../bridge/schedule-interval.js';
import { LeaseHeldError } from './lease-held-error.js';
import { createStore, type Store } from '../store/create-store.js';
import { loadStrategy } from '../strategy/load-strategy.js';
import { openRecord, type Record as BridgeRecord } from './open-record.js';
import type { Strategy } from '../strategy/types.js';

export interface Runtime {
  readonly config: Config;
  readonly bridges: readonly Bridge[];
  readonly store: Store;
  readonly http: Http;
  readonly leases: ReadonlyMap<string, BridgeLease>;
  /** Who holds the leases (commands that write). */
  readonly identity?: ProcessIdentity;
  /** The journal, the event sink the bridges call, the notifier's rules. */
  readonly record: BridgeRecord;
  readonly alerts: BridgeRecord['alerts'];
  close(): Promise<void>;
}

/** Who this process is, for the one-writer lease. */
export interface ProcessIdentity {
  readonly host: string;
  readonly pid: number;
  readonly instance: string;
  readonly isAlive: (pid: number) => boolean;
}

export interface RuntimeOptions {
  readonly log: Logger;
  readonly secrets: Secrets;
  /** The environment the config was read from: the command adapter passes a few of its variables on. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dryRun?: boolean;
  /** status and close never ask a strategy; check loads it (to validate) without starting it. */
  readonly withStrategies: boolean;
  readonly startStrategies?: boolean;
  /** Limit to one bridge (--bridge ID). */
  readonly only?: string;
  /** Commands that write (run, once, close) hold each bridge's lease while they run. */
  readonly lease?: ProcessIdentity;
  /**
   * How long a lease lasts without renewal. By default about three schedule intervals (at least
   * 30 s): long enough to survive a slow tick of a running bridge. A one-shot command gives its own.
   */
  readonly leaseTtlMs?: number;
  /** Fleet mode: every bridge gets a lease, none acquired here: the fleet's rebalancer takes its share. */
  readonly fleet?: boolean;
  /** With a lease held elsewhere: wait for it (run --standby) instead of refusing. */
  /** Aborted when the process is stopping: strategies end what they run (see StrategyOptions.stop). */
  readonly stop?: AbortSignal;
  readonly standby?: (bridgeId: string, holder: import('../store/bridge-lease.js').LeaseHolder) => Promise<boolean>;
  /** Counts API calls and token renewals (run's /metrics). */
  readonly metrics?: Metrics;
  /** Wraps each bridge's strategy (run's halt gate). */
  readonly wrapStrategy?: (bridge: BridgeConfig, strategy: Strategy) => Strategy;
  /** The notifier's first retry delay (default 1 s, doubling): tests of a dead receiver need not wait seconds. */
  readonly notifyBackoffMs?: number;
}

const NO_STRATEGY: Strategy = {
  name: 'none',
  decide() {
    throw new Error('this command does not run strategies');
  },
};

/**
 * The composition root: one HTTP agent, one store, one session per ALGOGENE user shared by all
 * its bridges, and per bridge its client, state and strategy. The mode was fixed in config; no
 * part below here can change it.
 */
export async function openRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const { log, secrets } = options;
  secrets.add(config.http.token);
  for (const bridge of config.bridges) {
    secrets.add(bridge.apiKey);
    secrets.add(bridge.settings.BRIDGE_WEBHOOK_SECRET);
  }
  const selected = config.bridges.filter((b) => options.only === undefined || b.id === options.only);
  // Each running tick has at most two calls in flight (the query beside the close or open).
  const http = createHttp({ baseUrl: config.baseUrl, timeoutMs: config.httpTimeoutMs, maxSockets: 2 * config.concurrency });
  const closers: (() => Promise<void>)[] = [async () => http.close()];
  try {
    const store = await createStore(config.store);
    closers.unshift(() => store.close());
    const leases = new Map<string, BridgeLease>();
    // For the journal: bridges whose lease another process held first (run --standby took it over).
    const tookOver = new Map<string, string>();
    if (options.lease) {
      const identity = options.lease;
      closers.unshift(async () => {
        for (const lease of leases.values()) await lease.release();
      });
      // Learnt once per distinct schedule, and only when needed: start-up stays linear in the number of bridges.
      const intervals = new Map<string, number>();
      const intervalOf = (schedule: string) => {
        const intervalMs = intervals.get(schedule) ?? scheduleIntervalMs(schedule);
        intervals.set(schedule, intervalMs);
        return intervalMs;
      };
      // Taken side by side (within the concurrency bound): one after another, 10,000 leases took half a minute.
      const limit = createLimiter(Math.max(1, config.concurrency));
      const taken = await Promise.allSettled(
        selected.map((bridgeConfig) =>
          limit(async () => {
            // About three tick intervals, at least 30 s: long enough to survive a slow tick, short
            // enough that a crash elsewhere does not lock the user out for long.
            const ttlMs = options.fleet ? FLEET_LEASE_TTL_MS : (options.leaseTtlMs ?? Math.max(30_000, 3 * intervalOf(bridgeConfig.schedule)));
            const lease = createBridgeLease({ store, bridgeId: bridgeConfig.id, ttlMs, me: identity, isAlive: identity.isAlive });
            if (!options.fleet) {
              for (;;) {
                const got = await lease.acquire();
                if (got.ok) break;
                tookOver.set(bridgeConfig.id, `${got.holder.pid}@${got.holder.host}`);
                if (!options.standby || !(await options.standby(bridgeConfig.id, got.holder))) throw new LeaseHeldError(bridgeConfig.id, got.holder);
              }
            }
            leases.set(bridgeConfig.id, lease);
          }),
        ),
      );
      // Every attempt settled first, so that the clean-up releases each lease that was taken.
      const refused = taken.find((t) => t.status === 'rejected');
      if (refused) throw refused.reason;
    }
    const record = await openRecord(config, store, { log, secrets, leased: options.fleet ? [] : [...leases.keys()], leases, tookOver, onNotification: options.metrics && ((outcome, channel) => options.metrics?.notification(outcome, channel)), notifyBackoffMs: options.notifyBackoffMs });
    closers.unshift(() => record.close());
    // Only run counts calls (for /metrics): the other commands never load the counting wrapper.
    const instrument = options.metrics && { metrics: options.metrics, ...(await import('../http/instrument-client.js')) };
    const sessions = new Map<string, { tokens: SessionTokens; gate: RateGate }>();
    const bridges: Bridge[] = [];
    for (const bridgeConfig of selected) {
      const bridgeLog = log.child({ bridge: bridgeConfig.id });
      const sessionKey = `${bridgeConfig.user}\u0000${bridgeConfig.apiKey}`;
      let session = sessions.get(sessionKey);
      if (!session) {
        // The rate limit is the user's: one gate per user, beside its token, for all its bridges.
        const userLog = log.child({ module: 'session', user: bridgeConfig.user });
        const gate = createRateGate({ log: userLog, callsPerMinute: config.callsPerMinute });
        let tokens = createSessionTokens({ http, log: userLog, secrets, user: bridgeConfig.user, apiKey: bridgeConfig.apiKey, gate });
        if (instrument) tokens = instrument.instrumentTokens(tokens, bridgeConfig.user, instrument.metrics);
        session = { gate, tokens };
        sessions.set(sessionKey, session);
      }
      const { tokens, gate } = session;
      const account = { user: bridgeConfig.user, apiKey: bridgeConfig.apiKey, accountId: bridgeConfig.accountId, runmode: bridgeConfig.runmode };
      const plainClient = createClient({ http, log: bridgeLog.child({ module: 'algogene' }), tokens, account, gate });
      const client = instrument ? instrument.instrumentClient(plainClient, instrument.metrics) : plainClient;
      const loaded = options.withStrategies
        ? await loadStrategy(bridgeConfig.strategy, { settings: bridgeConfig.settings, env: options.env, stop: options.stop, log: bridgeLog.child({ module: 'strategy' }) })
        : NO_STRATEGY;
      const strategy = options.wrapStrategy ? options.wrapStrategy(bridgeConfig, loaded) : loaded;
      const state = createBridgeState(store, bridgeConfig.id, leases.get(bridgeConfig.id));
      const binding = bindingOf(bridgeConfig, config.baseUrl);
      await assertBinding(state, bridgeConfig.id, binding);
      if (strategy.start && options.startStrategies !== false) await strategy.start();
      if (strategy.close) closers.unshift(async () => strategy.close?.());
      bridges.push(
        createBridge({
          config: bridgeConfig,
          client,
          state,
          binding,
          strategy,
          log: bridgeLog,
          dryRun: options.dryRun,
          settleMs: config.httpTimeoutMs + 5_000,
          lease: leases.get(bridgeConfig.id),
          // Closes are journaled with the server's price and P&L, read from strategy_trade off the tick.
          events: record.events.forBridge(bridgeConfig.id, { trades: (orderRef) => plainClient.strategyTrades({ orderRef }) }),
        }),
      );
    }
    return {
      config,
      bridges,
      store,
      http,
      leases,
      identity: options.lease,
      record,
      alerts: record.alerts,
      async close() {
        for (const close of closers) await close().catch(() => {});
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    throw error;
  }
}
