import { setTimeout as sleep } from 'node:timers/promises';
import type { AlgogeneClient } from '../algogene/create-client.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeState, BridgeStateDoc } from '../store/bridge-state.js';
import type { BridgeEvents } from '../journal/bridge-events.js';
import { closeEvent } from '../journal/trade-events.js';
import { closeTrade, type CloseOutcome } from './close-trade.js';
import { findOrphans } from './find-orphans.js';
import { locateTrade } from './locate-trade.js';
import { adoptLapsed, intentTime, reconcileIntents } from './reconcile-intents.js';
import { recordClosed } from './settle-tracked.js';

/**
 * `closed`: the server shows it closed (confirmed); `closing`: submitted, not confirmed within the
 * wait (it stays tracked: run close again). `orderRef` names an order whose trade ID is unknown
 * (an intent that could not be settled; tradeId is '-'), closed by its orderRef.
 */
export type CloseReport = { tradeId: string; outcome: CloseOutcome | 'closed' | 'failed'; orphan?: boolean; orderRef?: string; error?: string }[];

export interface CloseAllDeps {
  readonly client: AlgogeneClient;
  readonly state: BridgeState;
  readonly log: Logger;
  readonly bridgeId: string;
  readonly settleMs: number;
  readonly now: () => number;
  readonly events?: BridgeEvents;
}

const CONFIRM_POLL_MS = 500;

/** `close`: flattens everything this bridge holds, and waits (up to settleMs) to see it closed. */
export async function closeAll(deps: CloseAllDeps, options: { adoptOrphans?: boolean } = {}): Promise<CloseReport> {
  const { client, state, log, now } = deps;
  const results: CloseReport = [];
  let doc = await state.load();
  // An order sent just before a crash (or whose reply was lost) is only an intent in the
  // store: settle it first, or its trade would stay open on the account, neither tracked
  // nor reported as an orphan.
  if (doc.intents.length > 0) doc = await settleIntents(deps, doc, results);
  // An order given up on may have filled since: what the server shows under its orderRef is closed too.
  doc = await adoptLapsed(client, state, doc, log, now());
  for (const trade of doc.trades) {
    try {
      const result = await closeTrade(client, log, trade, undefined);
      if (result.outcome === 'gone') deps.events?.record(closeEvent(trade, result.closed ?? {}, 'manual'));
      else deps.events?.record({ type: 'close_requested', tradeId: trade.tradeId, orderRef: trade.orderRef, reason: 'manual', outcome: result.outcome, side: trade.side, volume: trade.volume, instrument: trade.instrument });
      if (result.outcome === 'closing') {
        doc = { ...doc, trades: doc.trades.map((t) => (t.tradeId === trade.tradeId ? { ...t, status: 'closing' as const, closeSentAt: new Date(now()).toISOString() } : t)) };
      } else {
        results.push({ tradeId: trade.tradeId, outcome: result.outcome });
        doc = recordClosed(doc, result.outcome === 'gone' ? trade : { ...trade, status: 'closing' }, result.closed ?? { reason: 'cancelled' }, now());
      }
      await state.save(doc);
    } catch (error) {
      results.push({ tradeId: trade.tradeId, outcome: 'failed', error: (error as Error).message });
    }
  }
  const orphans: { tradeId: string; orderRef: string }[] = [];
  if (options.adoptOrphans) {
    for (const { trade, where } of await findOrphans(client, deps.bridgeId, doc)) {
      const outcome = await closeTrade(client, log, { ...trade, openedAt: trade.timestamp ?? '', status: 'open' }, { where, trade }).catch((error: Error) => error);
      if (outcome instanceof Error) results.push({ tradeId: trade.tradeId, outcome: 'failed', orphan: true, error: outcome.message });
      else if (outcome.outcome === 'closing') orphans.push(trade);
      else results.push({ tradeId: trade.tradeId, outcome: outcome.outcome, orphan: true });
    }
  }
  await confirmCloses(deps, doc, orphans, results);
  return results;
}

/** Waits for the server to show each submitted close carried out (tracked trades and orphans); forgets those it does. */
async function confirmCloses(deps: CloseAllDeps, start: BridgeStateDoc, orphans: { tradeId: string; orderRef: string }[], results: CloseReport): Promise<BridgeStateDoc> {
  let doc = start;
  let waitingOrphans = orphans;
  const deadline = deps.now() + deps.settleMs;
  for (;;) {
    const stillOpen: typeof orphans = [];
    for (const orphan of waitingOrphans) {
      const location = await locateTrade(deps.client, orphan).catch(() => undefined);
      if (location?.where === 'closed') results.push({ tradeId: orphan.tradeId, outcome: 'closed', orphan: true });
      else stillOpen.push(orphan);
    }
    waitingOrphans = stillOpen;
    for (const trade of doc.trades.filter((t) => t.status === 'closing')) {
      const location = await locateTrade(deps.client, trade).catch(() => undefined);
      if (location?.where !== 'closed') continue;
      doc = recordClosed(doc, trade, location, deps.now());
      await deps.state.save(doc);
      deps.events?.record(closeEvent(trade, location, 'manual'));
      results.push({ tradeId: trade.tradeId, outcome: 'closed' });
    }
    const waiting = doc.trades.filter((t) => t.status === 'closing');
    if ((waiting.length === 0 && waitingOrphans.length === 0) || deps.now() >= deadline) {
      const unconfirmed = 'close submitted, not yet shown closed by the server: run close again to confirm';
      for (const t of waiting) results.push({ tradeId: t.tradeId, outcome: 'closing', error: unconfirmed });
      for (const t of waitingOrphans) results.push({ tradeId: t.tradeId, outcome: 'closing', orphan: true, error: unconfirmed });
      return doc;
    }
    await sleep(CONFIRM_POLL_MS);
  }
}

/**
 * Adopts the trade of every intent whose order is on the server. An intent not found yet may
 * still be in flight: close waits until it is older than settleMs (at most settleMs) and looks
 * once more. An intent still unsettled then (not found, or the server did not answer) is closed
 * by its orderRef: if its order exists, that flattens it; the intent stays until it is settled.
 */
async function settleIntents(deps: CloseAllDeps, start: BridgeStateDoc, results: CloseReport): Promise<BridgeStateDoc> {
  const { client, state, log, now, settleMs } = deps;
  let doc = start;
  let failure: Error | undefined;
  try {
    doc = await reconcileIntents(client, state, doc, log, { now: now(), settleMs });
    if (doc.intents.length > 0) {
      const youngest = Math.max(...doc.intents.map(intentTime));
      const waitMs = Math.min(settleMs, Math.max(0, youngest + settleMs - now()));
      log.info({ orderRefs: doc.intents.map((i) => i.orderRef), waitMs }, 'an order may still be in flight: looking again before closing');
      // A timer may fire a millisecond before the clock reads the deadline.
      await sleep(waitMs + 10);
      doc = await reconcileIntents(client, state, doc, log, { now: now(), settleMs });
    }
  } catch (error) {
    failure = error as Error;
    doc = await state.load();
  }
  for (const intent of doc.intents) {
    try {
      await client.closeByOrderRef(intent.orderRef);
      results.push({ tradeId: '-', orderRef: intent.orderRef, outcome: 'closing', error: `trade ID unknown${failure ? ` (${failure.message})` : ''}: closed by its orderRef; run close again to confirm` });
    } catch (error) {
      results.push({ tradeId: '-', orderRef: intent.orderRef, outcome: 'failed', error: `order ${intent.orderRef} could not be looked up${failure ? ` (${failure.message})` : ''} nor closed by its orderRef (${(error as Error).message}): run close again` });
    }
  }
  return doc;
}
