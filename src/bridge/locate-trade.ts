import { ApiError } from '../algogene/api-error.js';
import type { AlgogeneClient, StrategyTrade, Trade } from '../algogene/create-client.js';

/**
 * Where the server has a trade. `closed` is said only on the server's word (strategy_trade shows
 * its close, or query_order says so); `unknown` is a trade absent from both lists that the server
 * did not say is closed (an unfilled market order is listed nowhere, and a list can be wrong):
 * such a trade is kept, never forgotten.
 */
export type Location =
  | { readonly where: 'open'; readonly trade: Trade }
  /** Waiting to fill: listed in pending_trades, or (no `trade`) only query_order knows it. */
  | { readonly where: 'pending'; readonly trade?: Trade }
  /** `rows`: the trade's strategy_trade rows when they said so (the journal's close entry is made of them). */
  | { readonly where: 'closed'; readonly price?: number; readonly reason?: string; readonly at?: string; readonly rows?: readonly StrategyTrade[] }
  | { readonly where: 'unknown'; readonly detail: string };

/** The account's two lists, each asked at most once per look-up round and shared by its trades. */
export interface AccountLists {
  opened(): Promise<Trade[]>;
  pending(): Promise<Trade[]>;
}

/** Lists asked on first use and then remembered: one round of look-ups asks each list once. */
export function accountLists(client: AlgogeneClient): AccountLists {
  let opened: Promise<Trade[]> | undefined;
  let pending: Promise<Trade[]> | undefined;
  return {
    opened: () => (opened ??= client.openedTrades()),
    pending: () => (pending ??= client.pendingTrades()),
  };
}

/**
 * The lists first (one call in the common case, a trade that is open), then, only for a trade
 * they do not show, the definitive look-ups. The two lists are asked one after the other and an
 * order can fill between them, so /opened_trades is asked once more after query_order says filled.
 * `lists` shares the two list calls between the trades of one round (see queryTracked).
 */
export async function locateTrade(client: AlgogeneClient, tracked: { tradeId: string; orderRef: string }, lists: AccountLists = accountLists(client)): Promise<Location> {
  const { tradeId } = tracked;
  const open = (await lists.opened()).find((t) => t.tradeId === tradeId);
  if (open) return { where: 'open', trade: open };
  const pending = (await lists.pending()).find((t) => t.tradeId === tradeId);
  if (pending) return { where: 'pending', trade: pending };
  const close = await closeOf(client, tracked);
  if (close) return close;
  return definitive(client, tradeId);
}

/**
 * A trade whose close was submitted: it was open when closed, so it is not looked for among the
 * pending orders; once the open list no longer shows it, strategy_trade confirms its close.
 */
export async function locateClosing(client: AlgogeneClient, tracked: { tradeId: string; orderRef: string }, lists: AccountLists = accountLists(client)): Promise<Location> {
  const open = (await lists.opened()).find((t) => t.tradeId === tracked.tradeId);
  if (open) return { where: 'open', trade: open };
  const close = await closeOf(client, tracked);
  if (close) return close;
  // Not listed and no close recorded: the full look-up decides (the pending list, query_order).
  return locateTrade(client, tracked, lists);
}

/** query_order's word on a trade that neither list shows and strategy_trade shows no close of. */
async function definitive(client: AlgogeneClient, tradeId: string): Promise<Location> {
  // A refusal ("trade not found") is an answer that settles nothing: the trade is kept.
  const order = await client.queryOrder(tradeId).catch((error: unknown) => {
    if (error instanceof ApiError) return { state: 'unknown' as const, status: '', errMsg: error.reason, price: undefined };
    throw error;
  });
  if (order.state === 'closed') return { where: 'closed', price: order.price, reason: `query_order: ${order.status}` };
  if (order.state === 'pending') return { where: 'pending' };
  if (order.state === 'filled' || order.state === 'partial') {
    const [filled] = await client.openedTrades(tradeId);
    if (filled) return { where: 'open', trade: filled };
    return { where: 'unknown', detail: `query_order says ${order.status} but /opened_trades does not list it and no close is recorded` };
  }
  return { where: 'unknown', detail: `absent from both lists; query_order: ${order.errMsg ?? (order.status || 'no status')}` };
}

/** The close strategy_trade records for this trade (ours, or the server's take-profit, stop-loss, holdtime). */
export async function closeOf(client: AlgogeneClient, tracked: { tradeId: string; orderRef: string }): Promise<Location | undefined> {
  if (!tracked.orderRef) return undefined;
  const rows = (await client.strategyTrades({ orderRef: tracked.orderRef })).filter((r) => r.tradeId === tracked.tradeId);
  const row = rows.find((r) => r.openclose === 'close');
  return row ? { where: 'closed', price: row.price, reason: row.reason, at: row.timestamp, rows } : undefined;
}

/**
 * Every trade on the account, pending or open. /pending_trades is asked first, then
 * /opened_trades, one after the other: an order that fills meanwhile is then seen in one list
 * or both, never missed by both (asked at once, or the other way round, it could be open
 * already for the first answer and not yet for the second). One seen in both counts as open.
 */
export async function accountTrades(client: AlgogeneClient): Promise<{ opened: Trade[]; pending: Trade[] }> {
  const pending = await client.pendingTrades();
  const opened = await client.openedTrades();
  const open = new Set(opened.map((t) => t.tradeId));
  return { opened, pending: pending.filter((t) => !open.has(t.tradeId)) };
}

export type Found =
  | { readonly where: 'open' | 'pending'; readonly tradeId: string; readonly trade?: Trade }
  | { readonly where: 'closed'; readonly tradeId: string; readonly price?: number; readonly reason?: string; readonly at?: string };

/**
 * The trade an order became, found by the orderRef the bridge gave it: in the lists, or in
 * strategy_trade, which also sees a trade already closed (by a take-profit, say). Undefined
 * means absent from every look-up; a failed look-up throws.
 */
export async function findByOrderRef(client: AlgogeneClient, orderRef: string): Promise<Found | undefined> {
  const { opened, pending } = await accountTrades(client);
  const open = opened.find((t) => t.orderRef === orderRef);
  if (open) return { where: 'open', tradeId: open.tradeId, trade: open };
  const waiting = pending.find((t) => t.orderRef === orderRef);
  if (waiting) return { where: 'pending', tradeId: waiting.tradeId, trade: waiting };
  const rows = await client.strategyTrades({ orderRef });
  const first = rows[0];
  if (!first) return undefined;
  const close = rows.find((r) => r.tradeId === first.tradeId && r.openclose === 'close');
  if (close) return { where: 'closed', tradeId: first.tradeId, price: close.price, reason: close.reason, at: close.timestamp };
  // Recorded as opened but not listed yet (or any more): tracked, and located at the next look-up.
  return { where: 'open', tradeId: first.tradeId };
}
