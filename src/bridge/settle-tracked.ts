import type { Logger } from '../logging/create-logger.js';
import type { BridgeStateDoc, ClosedTrade, TrackedTrade } from '../store/bridge-state.js';
import type { Location } from './locate-trade.js';

// Enough to recognise a trade ID the server hands out again; the journal keeps the history.
const KEEP_CLOSED = 50;

/**
 * Forgets every tracked trade the server showed closed, recording its closing price and who
 * closed it: the bridge (a close it sent, now confirmed) or the server itself (take-profit,
 * stop-loss, holdtime), which is never "closed" again. Nothing else makes a trade leave.
 */
export function settleTracked(doc: BridgeStateDoc, known: ReadonlyMap<string, Location>, log: Logger, now: number): BridgeStateDoc {
  let current = doc;
  for (const trade of doc.trades) {
    const location = known.get(trade.tradeId);
    if (location?.where !== 'closed') continue;
    current = recordClosed(current, trade, location, now);
    const fields = { tradeId: trade.tradeId, orderRef: trade.orderRef, price: location.price, reason: location.reason };
    if (trade.status === 'closing') log.info(fields, 'close confirmed: trade forgotten');
    else log.warn(fields, 'the server closed this trade by itself (take-profit, stop-loss, holdtime or by hand): recorded, not closed again');
  }
  return current;
}

/** Moves a trade from `trades` to the bounded `closed` list. */
export function recordClosed(
  doc: BridgeStateDoc,
  trade: Pick<TrackedTrade, 'tradeId' | 'orderRef'> & { status?: TrackedTrade['status'] },
  location: { price?: number; reason?: string },
  now: number,
): BridgeStateDoc {
  const record: ClosedTrade = {
    tradeId: trade.tradeId,
    orderRef: trade.orderRef,
    by: trade.status === 'closing' ? 'bridge' : 'server',
    price: location.price,
    reason: location.reason,
    closedAt: new Date(now).toISOString(),
  };
  return {
    ...doc,
    trades: doc.trades.filter((t) => t.tradeId !== trade.tradeId),
    closed: [...doc.closed.filter((c) => c.tradeId !== trade.tradeId), record].slice(-KEEP_CLOSED),
  };
}

/** Every trade ID this bridge has held: an order acknowledged with one of them is not a new trade. */
export function seenTradeIds(doc: BridgeStateDoc): Set<string> {
  return new Set([...doc.trades.map((t) => t.tradeId), ...doc.closed.map((c) => c.tradeId)]);
}
