import type { AlgogeneClient } from '../algogene/create-client.js';
import type { BridgeConfig } from '../config.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeState, BridgeStateDoc } from '../store/bridge-state.js';
import { safeDecide } from '../strategy/safe-decide.js';
import type { Signal } from '../strategy/signal.js';
import type { MarketData, Strategy } from '../strategy/types.js';
import type { Binding } from '../store/bridge-state.js';
import type { BridgeEvents } from '../journal/bridge-events.js';
import type { JournalEvent } from '../journal/events.js';
import { closeEvent, recordAdopted, recordClosedTrades } from '../journal/trade-events.js';
import { closeTrade, type CloseOutcome } from './close-trade.js';
import { openTrade } from './open-trade.js';
import { planTick } from './plan-tick.js';
import { queryTracked, type TrackedQuery } from './query-tracked.js';
import { adoptLapsed, reconcileIntents } from './reconcile-intents.js';
import { applyRiskLimits, recentOrders } from './risk-gate.js';
import { recordClosed, settleTracked } from './settle-tracked.js';

export interface TickDeps {
  readonly bridge: BridgeConfig;
  readonly client: AlgogeneClient;
  readonly state: BridgeState;
  readonly strategy: Strategy;
  readonly market: MarketData;
  readonly log: Logger;
  readonly dryRun?: boolean;
  readonly now?: () => number;
  /** How long a lost order may take to appear on the server: the HTTP timeout plus a margin. */
  readonly settleMs: number;
  /** The query of the tracked trades, started before the scheduled moment by the worker. */
  readonly prefetched?: TrackedQuery;
  /** The state as the prefetch read it, when nothing wrote it since: not read again. */
  readonly loaded?: BridgeStateDoc;
  /** The account this bridge is bound to, written with its first order. */
  readonly binding?: Binding;
  /** A close submitted this long ago whose trade is still open is sent again (default settleMs). */
  readonly closeGraceMs?: number;
  /** The journal's sink: this tick's events are recorded when it ends, after its order. */
  readonly events?: BridgeEvents;
  /** Called just before the strategy is asked: what it knows by then is in this tick's answer. */
  readonly onAsk?: () => void;
}

export interface TickResult {
  readonly ok: boolean;
  readonly signal?: Signal;
  readonly closed: readonly { tradeId: string; outcome: CloseOutcome }[];
  readonly opened?: string;
  readonly error?: Error;
  /** From the scheduled moment to the open_order acknowledgement. */
  readonly latencyMs?: number;
  readonly ms: number;
}

/**
 * One tick: settle leftovers, ask the strategy while the tracked trade is queried, close what
 * the plan says, open what it says. Never throws: a failure is a result that names its cause,
 * and the store is left with every trade the account holds because of this bridge.
 */
export async function runTick(deps: TickDeps, scheduledAt: Date): Promise<TickResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const log = deps.log;
  const closed: { tradeId: string; outcome: CloseOutcome }[] = [];
  let signal: Signal | undefined;
  let opened: string | undefined;
  let latencyMs: number | undefined;
  // Collected in the order they happen and recorded once the tick is over: nothing of the
  // journal runs between the strategy's answer and the order.
  const happened: JournalEvent[] = [];
  const collect: BridgeEvents = { record: (event) => happened.push(event), tickOk() {} };
  const finish = (error?: Error): TickResult => {
    const result = { ok: !error, signal, closed, opened, error, latencyMs, ms: now() - started };
    if (deps.events && !deps.dryRun) {
      for (const event of happened) deps.events.record(event);
      if (error) deps.events.record({ type: 'tick_failed', reason: error.message, errorType: error.name, scheduledAt: scheduledAt.toISOString() });
      else deps.events.tickOk();
    }
    const line = { scheduledAt: scheduledAt.toISOString(), signal: signal?.side ?? (signal ? 'NONE' : undefined), closed: closed.map((c) => c.tradeId), opened, ms: result.ms, latencyMs, dryRun: deps.dryRun || undefined };
    if (error) log.error({ ...line, error: error.message, errorType: error.name }, 'tick failed');
    else log.info(line, 'tick');
    return result;
  };

  let query: TrackedQuery | undefined;
  try {
    let doc = deps.loaded ?? (await deps.state.load());
    if (doc.lapsed.length > 0) {
      const before = doc;
      doc = await adoptLapsed(deps.client, deps.state, doc, log, now());
      recordAdopted(collect, before, doc);
    }
    if (doc.intents.length > 0) {
      const unsettled = doc;
      doc = await reconcileIntents(deps.client, deps.state, doc, log, { now: now(), settleMs: deps.settleMs });
      recordAdopted(collect, unsettled, doc);
      if (doc.intents.length > 0) return finish(new Error(`an order of a previous tick is not settled yet (orderRef ${doc.intents[0]?.orderRef}): sending nothing new`));
    }

    // The query does not depend on the strategy: the worker starts it before the scheduled
    // moment, or it runs beside the strategy, so that once the strategy has decided only the
    // close and the open remain on the critical path.
    query = deps.prefetched ?? queryTracked(deps.client, doc.trades, log);
    deps.onAsk?.();
    const decided = safeDecide(deps.strategy, contextFor(deps, doc, scheduledAt), {
      timeoutMs: deps.bridge.strategyTimeoutMs,
      maxVolume: deps.bridge.maxVolume,
    });
    try {
      signal = await decided;
    } catch (error) {
      return finish(error as Error);
    }
    if (signal.side) collect.record({ type: 'signal', source: deps.strategy.name, side: signal.side, volume: signal.volume, scheduledAt: scheduledAt.toISOString(), comment: signal.comment });
    // A close must know whether the trade is open or still pending (pending ones are cancelled).
    await query.done;

    // What the server showed closed is forgotten (written with the next write of this tick):
    // closes we sent, now confirmed, and closes the server made by itself, never closed again.
    const before = doc;
    doc = settleTracked(doc, query.known, log, now());
    recordClosedTrades(collect, before, doc, 'signal', query.known);
    let dirty = doc !== before;

    // A "closing" trade does not block the open: reopen closes and opens at the same moment, as
    // investors copy it; waiting for the close to be confirmed would move every open a whole tick
    // later. A close not carried out within the grace period is sent again, and said.
    const open = doc.trades.filter((t) => t.status !== 'closing');
    const graceMs = deps.closeGraceMs ?? deps.settleMs;
    const overdue = doc.trades.filter(
      (t) => t.status === 'closing' && query?.known.get(t.tradeId)?.where === 'open' && now() - Date.parse(t.closeSentAt ?? '') > graceMs,
    );
    for (const trade of overdue) log.warn({ tradeId: trade.tradeId, closeSentAt: trade.closeSentAt }, 'close submitted but the trade is still open after the grace period: sending it again');

    const { plan, withheld } = applyRiskLimits(deps.bridge, { ...doc, trades: open }, planTick(deps.bridge.policy, signal.side, open), now());
    const halted = withheld?.startsWith('halted') === true;
    if (withheld) collect.record({ type: 'halt', kind: halted ? 'halt-file' : 'circuit-breaker', reason: withheld });
    const opensNext = plan.open !== null && !withheld && !deps.dryRun;
    const toClose = [...plan.close, ...overdue.filter((t) => !plan.close.includes(t))];
    for (const [index, trade] of toClose.entries()) {
      const location = query.known.get(trade.tradeId);
      if (deps.dryRun) {
        log.info({ tradeId: trade.tradeId }, 'dry run: would close');
        continue;
      }
      const result = await closeTrade(deps.client, log, trade, location);
      closed.push({ tradeId: trade.tradeId, outcome: result.outcome });
      const reason = halted ? 'halt' : 'signal';
      if (result.outcome === 'gone') collect.record(closeEvent(trade, result.closed ?? {}, reason));
      else collect.record({ type: 'close_requested', tradeId: trade.tradeId, orderRef: trade.orderRef, reason, outcome: result.outcome, side: trade.side, volume: trade.volume, instrument: trade.instrument });
      if (result.outcome === 'closing') {
        const sentAt = new Date(now()).toISOString();
        doc = { ...doc, trades: doc.trades.map((t) => (t.tradeId === trade.tradeId ? { ...t, status: 'closing' as const, closeSentAt: sentAt } : t)) };
      } else {
        if (result.outcome === 'gone') log.warn({ tradeId: trade.tradeId, ...result.closed }, 'the server had closed this trade already: recorded, not closed again');
        doc = recordClosed(doc, result.outcome === 'gone' ? trade : { ...trade, status: 'closing' }, result.closed ?? { reason: 'cancelled' }, now());
      }
      dirty = true;
      // The last close before an open is written together with the order's intent: one store
      // write, not two, between the close and the open. Lost in a crash, it costs nothing: the
      // next tick finds the trade closing or closed and confirms it.
      if (!(opensNext && index === toClose.length - 1)) {
        await deps.state.save(doc);
        dirty = false;
      }
    }
    if (dirty && !opensNext && !deps.dryRun) await deps.state.save(doc);

    if (withheld) return finish(new Error(withheld));
    if (plan.open) {
      if (deps.dryRun) {
        log.info({ side: plan.open, volume: signal.volume ?? deps.bridge.volume, instrument: deps.bridge.instrument }, 'dry run: would open');
        return finish();
      }
      const pruned = { ...doc, recentOrders: recentOrders(doc, now()) };
      const result = await openTrade({ ...deps, events: collect }, pruned, plan.open, signal, scheduledAt, now);
      doc = result.doc;
      if (result.tradeId) {
        opened = result.tradeId;
        latencyMs = (result.ackedAt ?? now()) - scheduledAt.getTime();
      }
      if (result.error) return finish(result.error);
    }
    return finish();
  } catch (error) {
    return finish(error instanceof Error ? error : new Error(String(error)));
  } finally {
    // No request of this tick outlives it.
    await query?.done;
  }
}

function contextFor(deps: TickDeps, doc: BridgeStateDoc, time: Date) {
  // A closing trade is on its way out: the strategy sees the trade it holds.
  const tracked = doc.trades.find((t) => t.status !== 'closing');
  return {
    time,
    bridgeId: deps.bridge.id,
    instrument: deps.bridge.instrument,
    volume: deps.bridge.volume,
    tracked: tracked
      ? { tradeId: tracked.tradeId, side: tracked.side, volume: tracked.volume, instrument: tracked.instrument, openedAt: tracked.openedAt }
      : null,
    log: deps.log.child({ module: 'strategy' }),
    // Bars that closed before this tick's moment (history_price's timestamp; t is a bar's close).
    market: { history: (options: Parameters<MarketData['history']>[0]) => deps.market.history({ ...options, before: options.before ?? time }) },
  };
}
