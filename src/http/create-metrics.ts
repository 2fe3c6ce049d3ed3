import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TickResult } from '../bridge/run-tick.js';
import type { SkipReason } from '../journal/events.js';

export type ApiOutcome = 'ok' | 'rejected' | 'rate_limited' | 'unknown';

/**
 * What `run` counts, in its own registry (never prom-client's global one: two servers in one
 * process, as in tests, must not share counters). Labels are bridge ids, endpoint names, the
 * configured schedules and fixed outcome words only: a trade ID as a label would grow the series
 * without bound.
 */
export interface Metrics {
  readonly registry: Registry;
  tick(bridgeId: string, result: TickResult): void;
  apiCall(endpoint: string, outcome: ApiOutcome, seconds: number): void;
  tokenRenewed(user: string): void;
  /** A notification sent or dropped: the seam for the notifier (src/notify). */
  notification(outcome: 'sent' | 'dropped', channel?: string): void;
  trades(bridgeId: string, open: number, unrealizedPL: number | undefined): void;
  /** Scheduled moments of the bridge that no tick ran for (found when it was taken over from an instance that died). */
  missedMoments(bridgeId: string, moments: number): void;
  /** Scheduled moments that did not tick the bridge in this process (the worker's onSkipped). */
  skippedMoments(bridgeId: string, reason: SkipReason, moments: number): void;
  /** How late a schedule's moment fired (the worker's onMoment). */
  momentLateness(schedule: string, seconds: number): void;
  /** Sampled at each scrape: 1 while this process holds the bridge's lease. */
  leaseHeld(read: () => Iterable<[bridgeId: string, held: boolean]>): void;
}

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// A moment's timer fires a few ms late on a quiet loop; past 0.5 s the worker logs it as late.
const LATENESS_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60];

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'signal_bridge_' });
  const registers = [registry];
  const ticks = new Counter({ name: 'signal_bridge_ticks_total', help: 'Ticks by bridge and outcome (ok, failed, lease_lost)', labelNames: ['bridge', 'outcome'], registers });
  const apiCalls = new Counter({ name: 'signal_bridge_api_calls_total', help: 'ALGOGENE API calls by endpoint and outcome', labelNames: ['endpoint', 'outcome'], registers });
  const apiLatency = new Histogram({ name: 'signal_bridge_api_call_seconds', help: 'ALGOGENE API call latency, retries included', labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers });
  const signalToOrder = new Histogram({ name: 'signal_bridge_signal_to_order_seconds', help: 'From the scheduled moment to the open_order acknowledgement', labelNames: ['bridge'], buckets: LATENCY_BUCKETS, registers });
  const opened = new Counter({ name: 'signal_bridge_orders_opened_total', help: 'Orders opened', labelNames: ['bridge'], registers });
  const closed = new Counter({ name: 'signal_bridge_orders_closed_total', help: 'Trades closed, cancelled or found gone', labelNames: ['bridge', 'outcome'], registers });
  const openTrades = new Gauge({ name: 'signal_bridge_open_trades', help: 'Trades the bridge holds, as last seen on the server', labelNames: ['bridge'], registers });
  const unrealized = new Gauge({ name: 'signal_bridge_unrealized_pl', help: "Unrealised P&L of the bridge's trades, as last seen on the server", labelNames: ['bridge'], registers });
  const renewals = new Counter({ name: 'signal_bridge_token_renewals_total', help: 'Session tokens obtained', labelNames: ['user'], registers });
  const rateLimited = new Counter({ name: 'signal_bridge_rate_limited_total', help: 'API calls answered 429 (the caller paused or failed)', labelNames: ['endpoint'], registers });
  const missed = new Counter({ name: 'signal_bridge_missed_moments_total', help: 'Scheduled moments no tick ran for, counted by the instance that took the bridge over from one that died', labelNames: ['bridge'], registers });
  const skipped = new Counter({ name: 'signal_bridge_skipped_moments_total', help: 'Scheduled moments that did not tick the bridge here: the event loop was blocked past them, or its previous tick was still running', labelNames: ['bridge', 'reason'], registers });
  const lateness = new Histogram({ name: 'signal_bridge_moment_lateness_seconds', help: "How late each scheduled moment's timer fired, by schedule", labelNames: ['schedule'], buckets: LATENESS_BUCKETS, registers });
  const notifications = new Counter({ name: 'signal_bridge_notifications_total', help: 'Notifications sent or dropped', labelNames: ['outcome', 'channel'], registers });
  let leases: (() => Iterable<[string, boolean]>) | undefined;
  new Gauge({
    name: 'signal_bridge_lease_held',
    help: "1 while this process holds the bridge's lease",
    labelNames: ['bridge'],
    registers,
    collect() {
      this.reset();
      for (const [bridge, held] of leases?.() ?? []) this.set({ bridge }, held ? 1 : 0);
    },
  });

  return {
    registry,
    tick(bridge, result) {
      const outcome = result.ok ? 'ok' : result.error?.name === 'LeaseLostError' ? 'lease_lost' : 'failed';
      ticks.inc({ bridge, outcome });
      if (result.opened) opened.inc({ bridge });
      for (const c of result.closed) closed.inc({ bridge, outcome: c.outcome });
      if (result.latencyMs !== undefined) signalToOrder.observe({ bridge }, result.latencyMs / 1000);
    },
    apiCall(endpoint, outcome, seconds) {
      apiCalls.inc({ endpoint, outcome });
      apiLatency.observe({ endpoint }, seconds);
      if (outcome === 'rate_limited') rateLimited.inc({ endpoint });
    },
    tokenRenewed: (user) => renewals.inc({ user }),
    notification: (outcome, channel = 'default') => notifications.inc({ outcome, channel }),
    trades(bridge, count, pl) {
      openTrades.set({ bridge }, count);
      if (pl === undefined) unrealized.remove({ bridge });
      else unrealized.set({ bridge }, pl);
    },
    missedMoments: (bridge, moments) => missed.inc({ bridge }, moments),
    skippedMoments: (bridge, reason, moments) => skipped.inc({ bridge, reason }, moments),
    momentLateness: (schedule, seconds) => lateness.observe({ schedule }, seconds),
    leaseHeld(read) {
      leases = read;
    },
  };
}
