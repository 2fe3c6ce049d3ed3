import type { AlgogeneClient, Trade } from '../algogene/create-client.js';

export type Location =
  | { readonly where: 'open'; readonly trade: Trade }
  | { readonly where: 'pending'; readonly trade: Trade }
  | { readonly where: 'gone' };

/** Where the server has a trade now: open, still pending (not filled), or no longer anywhere. */
export async function locateTrade(client: AlgogeneClient, tradeId: string): Promise<Location> {
  const [open] = await client.openedTrades(tradeId);
  if (open) return { where: 'open', trade: open };
  const [pending] = await client.pendingTrades(tradeId);
  if (pending) return { where: 'pending', trade: pending };
  return { where: 'gone' };
}

/** The trade an order became, found by the orderRef the bridge gave it. */
export async function findByOrderRef(
  client: AlgogeneClient,
  orderRef: string,
): Promise<{ where: 'open' | 'pending'; trade: Trade } | undefined> {
  const [opened, pending] = await Promise.all([client.openedTrades(), client.pendingTrades()]);
  const open = opened.find((t) => t.orderRef === orderRef);
  if (open) return { where: 'open', trade: open };
  const waiting = pending.find((t) => t.orderRef === orderRef);
  return waiting ? { where: 'pending', trade: waiting } : undefined;
}
