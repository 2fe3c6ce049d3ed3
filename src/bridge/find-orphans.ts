import type { AlgogeneClient, Trade } from '../algogene/create-client.js';
import type { BridgeStateDoc } from '../store/bridge-state.js';
import { accountTrades } from './locate-trade.js';
import { orderRefPrefix } from './make-order-ref.js';

/**
 * Trades on the account that carry this bridge's orderRef prefix but that the store does not
 * track: left by a lost record or by another copy of the bridge. Investors hold them too.
 */
export async function findOrphans(client: AlgogeneClient, bridgeId: string, doc: BridgeStateDoc): Promise<{ trade: Trade; where: 'open' | 'pending' }[]> {
  const prefix = orderRefPrefix(bridgeId);
  const tracked = new Set(doc.trades.map((t) => t.tradeId));
  const intents = new Set(doc.intents.map((i) => i.orderRef));
  const { opened, pending } = await accountTrades(client);
  const ours = (t: Trade) => t.orderRef.startsWith(prefix) && !tracked.has(t.tradeId) && !intents.has(t.orderRef);
  return [
    ...opened.filter(ours).map((trade) => ({ trade, where: 'open' as const })),
    ...pending.filter(ours).map((trade) => ({ trade, where: 'pending' as const })),
  ];
}
