import type { BridgeStateDoc, TrackedTrade } from '../store/bridge-state.js';
import type { BridgeEvents } from './bridge-events.js';
import { closeFromRows, reasonOf, type TradeRow } from './confirm-close.js';
import type { EventOf } from './events.js';

type Reason = EventOf<'close'>['reason'];

/**
 * The `close` entry of a trade the server showed closed: the reason the server gave when it is
 * take-profit, stop-loss or holdtime, else ours (`fallback`) for a close we sent, else `manual`
 * (closed elsewhere, by hand). With the strategy_trade rows that showed the close, the entry
 * carries its prices and P&L at once; without them, side and volume let the sink look them up.
 */
export function closeEvent(
  trade: Pick<TrackedTrade, 'tradeId' | 'orderRef' | 'side' | 'volume' | 'openedAt'> & { status?: string },
  location: { price?: number; reason?: string; rows?: readonly TradeRow[] },
  fallback: Reason,
): EventOf<'close'> {
  const reason = reasonOf(location.reason) ?? (trade.status === 'closing' ? fallback : 'manual');
  const side = trade.side === 'BUY' || trade.side === 'SELL' ? trade.side : undefined;
  const full = location.rows && closeFromRows(location.rows, { tradeId: trade.tradeId, orderRef: trade.orderRef, reason, side, volume: trade.volume, price: location.price, serverReason: location.reason || undefined });
  if (full && full.realisedPnl !== undefined) return { ...full, side: trade.side, volume: trade.volume };
  return {
    type: 'close',
    tradeId: trade.tradeId,
    orderRef: trade.orderRef,
    reason: reasonOf(location.reason) ?? (trade.status === 'closing' ? fallback : 'manual'),
    price: location.price,
    serverReason: location.reason || undefined,
    side: trade.side,
    volume: trade.volume,
  };
}

/** Records the trades that `after` tracks for an intent of `before`: orders whose reply was lost, found by their orderRef. */
export function recordAdopted(events: BridgeEvents, before: BridgeStateDoc, after: BridgeStateDoc): void {
  const intents = new Set([...before.intents, ...before.lapsed].map((i) => i.orderRef));
  const known = new Set(before.trades.map((t) => t.tradeId));
  for (const trade of after.trades) {
    if (intents.has(trade.orderRef) && !known.has(trade.tradeId)) events.record({ type: 'adopted', tradeId: trade.tradeId, orderRef: trade.orderRef, side: trade.side, volume: trade.volume, instrument: trade.instrument });
  }
}

/**
 * Records a `close` for each trade `before` tracked that `after` moved to its closed list, with
 * what the look-ups that showed it closed (`known`) learnt of its prices.
 */
export function recordClosedTrades(events: BridgeEvents, before: BridgeStateDoc, after: BridgeStateDoc, fallback: Reason, known?: ReadonlyMap<string, { readonly where: string; readonly rows?: readonly TradeRow[] }>): void {
  const still = new Set(after.trades.map((t) => t.tradeId));
  for (const trade of before.trades) {
    if (still.has(trade.tradeId)) continue;
    const closed = after.closed.find((c) => c.tradeId === trade.tradeId);
    if (closed && closed.reason !== 'cancelled') events.record(closeEvent(trade, { ...closed, rows: known?.get(trade.tradeId)?.rows }, fallback));
  }
}
