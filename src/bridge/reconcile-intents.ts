import type { AlgogeneClient, Trade } from '../algogene/create-client.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeState, BridgeStateDoc, OpenIntent, TrackedTrade } from '../store/bridge-state.js';
import { accountTrades, findByOrderRef } from './locate-trade.js';
import { recordClosed } from './settle-tracked.js';

export interface ReconcileOptions {
  now: number;
  /**
   * An order whose reply was lost may still be in flight on the server. An intent younger than
   * this (counted from when its order was sent) that is not found yet is kept and looked for
   * again; only an older one is dropped.
   */
  settleMs: number;
}

/**
 * Every intent left by a lost reply or a crash is settled before anything new is sent: adopted
 * as a tracked trade if the server shows an order with its orderRef (in a list, or in
 * strategy_trade if it is closed already), dropped only once the settle window has passed with
 * it absent from every look-up. A failed look-up throws and removes nothing.
 */
export async function reconcileIntents(
  client: AlgogeneClient,
  state: BridgeState,
  doc: BridgeStateDoc,
  log: Logger,
  options: ReconcileOptions,
): Promise<BridgeStateDoc> {
  let current = doc;
  for (const intent of doc.intents) {
    const found = await findByOrderRef(client, intent.orderRef);
    const rest = current.intents.filter((i) => i.orderRef !== intent.orderRef);
    if (found && current.trades.some((t) => t.tradeId === found.tradeId)) {
      // Already tracked (a crash between two writes): the intent was that trade.
      current = { ...current, intents: rest };
    } else if (found?.where === 'closed') {
      log.warn({ orderRef: intent.orderRef, tradeId: found.tradeId, price: found.price, reason: found.reason }, 'the order of a lost reply was placed and is closed already: recorded');
      current = recordClosed({ ...current, intents: rest }, { tradeId: found.tradeId, orderRef: intent.orderRef }, found, options.now);
    } else if (found) {
      const trade: TrackedTrade = {
        tradeId: found.tradeId,
        orderRef: intent.orderRef,
        side: intent.side,
        volume: intent.volume,
        instrument: intent.instrument,
        openedAt: new Date(options.now).toISOString(),
        status: 'open',
      };
      log.warn({ orderRef: intent.orderRef, tradeId: trade.tradeId, where: found.where }, 'adopted the trade of an order whose reply was lost');
      current = { ...current, intents: rest, trades: [...current.trades, trade] };
    } else if (options.now - intentTime(intent) < options.settleMs) {
      // Not dropped while it may still appear, however many ticks look (a seconds schedule looks
      // often): a server can act on an order after the client gave up waiting for its reply.
      log.warn({ orderRef: intent.orderRef }, 'order not on the server yet: looking again next tick');
      current = { ...current, intents: [...rest, { ...intent, checkedAt: intent.checkedAt ?? new Date(options.now).toISOString() }] };
    } else {
      log.warn({ orderRef: intent.orderRef }, 'order never reached the server: intent dropped');
      // Dropped, not forgotten: a market order can fill long after it was placed, listed nowhere meanwhile.
      const lapsed = [...current.lapsed, { ...intent, lapsedAt: new Date(options.now).toISOString() }].slice(-MAX_LAPSED);
      current = { ...current, intents: rest, lapsed };
    }
    await state.save(current);
  }
  return current;
}

const MAX_LAPSED = 50;
/** How long a dropped intent is watched for: a market order the server left unfilled this long is taken as never filled. */
export const LAPSED_WATCH_MS = 60 * 60_000;

/**
 * Adopts the trade of a dropped intent whose order filled after all (the server is the source of
 * truth for this bridge's orderRefs), and stops watching those older than LAPSED_WATCH_MS. One
 * listing of the account, only while something is watched; a failed listing changes nothing and
 * fails nothing: the next tick looks again.
 */
export async function adoptLapsed(client: AlgogeneClient, state: BridgeState, doc: BridgeStateDoc, log: Logger, now: number): Promise<BridgeStateDoc> {
  if (doc.lapsed.length === 0) return doc;
  let listed: Trade[];
  try {
    const { opened, pending } = await accountTrades(client);
    listed = [...opened, ...pending];
  } catch (error) {
    log.warn({ watching: doc.lapsed.map((i) => i.orderRef), error: (error as Error).message }, 'could not look for the late fills of dropped orders: looking again next tick');
    return doc;
  }
  const tracked = new Set(doc.trades.map((t) => t.tradeId));
  const adopted: TrackedTrade[] = [];
  const lapsed = doc.lapsed.filter((intent) => {
    const trade = listed.find((t) => t.orderRef === intent.orderRef);
    if (trade && !tracked.has(trade.tradeId)) {
      log.warn({ orderRef: intent.orderRef, tradeId: trade.tradeId }, 'adopted the trade of an order whose reply was lost (it filled after it was given up)');
      adopted.push({ tradeId: trade.tradeId, orderRef: intent.orderRef, side: intent.side, volume: intent.volume, instrument: intent.instrument, openedAt: new Date(now).toISOString(), status: 'open' });
      return false;
    }
    return !trade && now - Date.parse(intent.lapsedAt) < LAPSED_WATCH_MS;
  });
  if (adopted.length === 0 && lapsed.length === doc.lapsed.length) return doc;
  const next = { ...doc, trades: [...doc.trades, ...adopted], lapsed };
  await state.save(next);
  return next;
}

/** When the order was sent (or, for an intent written before sentAt existed, its tick): settleMs counts from here. */
export function intentTime(intent: OpenIntent): number {
  const at = Date.parse(intent.sentAt ?? intent.tick);
  return Number.isFinite(at) ? at : 0;
}
