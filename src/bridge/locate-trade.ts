import type { AlgogeneClient, Trade } from '../algogene/create-client.js';

export type Location =
  | { readonly where: 'open'; readonly trade: Trade }
  | { readonly where: 'pending'; readonly trade: Trade }
  | { readonly where: 'gone' };

/**
 * Where the server has a trade now: open, still pending (not filled), or no longer anywhere.
 * The two lists are two questions asked one after the other, and an order can fill between
 * them: pending when /opened_trades answered, open when /pending_trades did. A trade only ever
 * moves forward (pending, open, closed), so before calling it gone /opened_trades is asked once
 * more: a live trade taken for gone would be forgotten while investors still hold it.
 */
export async function locateTrade(client: AlgogeneClient, tradeId: string): Promise<Location> {
  const [open] = await client.openedTrades(tradeId);
  if (open) return { where: 'open', trade: open };
  const [pending] = await client.pendingTrades(tradeId);
  if (pending) return { where: 'pending', trade: pending };
  const [filled] = await client.openedTrades(tradeId);
  if (filled) return { where: 'open', trade: filled };
  return { where: 'gone' };
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

/** The trade an order became, found by the orderRef the bridge gave it. */
export async function findByOrderRef(
  client: AlgogeneClient,
  orderRef: string,
): Promise<{ where: 'open' | 'pending'; trade: Trade } | undefined> {
  const { opened, pending } = await accountTrades(client);
  const open = opened.find((t) => t.orderRef === orderRef);
  if (open) return { where: 'open', trade: open };
  const waiting = pending.find((t) => t.orderRef === orderRef);
  return waiting ? { where: 'pending', trade: waiting } : undefined;
}
