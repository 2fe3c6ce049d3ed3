import type { AlgogeneClient, Trade } from '../algogene/create-client.js';
import type { BridgeStateDoc } from '../store/bridge-state.js';
import { orderRefPrefix } from './make-order-ref.js';

/**
 * Trades on the account that carry this bridge's orderRef prefix but that the store does not
 * track: left by a lost record or by another copy of the bridge. Investors hold them too.
 */
export async function findOrphans(client: AlgogeneClient, bridgeId: string, doc: BridgeStateDoc): Promise<{ trade: Trade; where: 'open' | 'pending' }[]> {
  const prefix = orderRefPrefix(bridgeId);
  const tracked = new Set(doc.trades.map((t) => t.tradeId));
  const intents = new Set(doc.intents.map((i) => i.orderRef));
  // Pending first, then opened, one after the other: an order that fills in between shows in
  // both lists (kept once, as open) rather than in neither.
  const pending = await client.pendingTrades();
  const opened = await client.openedTrades();
  const ours = (t: Trade) => t.orderRef.startsWith(prefix) && !tracked.has(t.tradeId) && !intents.has(t.orderRef);
  const open = new Set(opened.map((t) => t.tradeId));
  return [
    ...opened.filter(ours).map((trade) => ({ trade, where: 'open' as const })),
    ...pending.filter((t) => ours(t) && !open.has(t.tradeId)).map((trade) => ({ trade, where: 'pending' as const })),
  ];
}
