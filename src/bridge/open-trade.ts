import { AlgogeneError } from '../algogene/algogene-error.js';
import type { AlgogeneClient } from '../algogene/create-client.js';
import type { BridgeConfig } from '../config.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeState, BridgeStateDoc, OpenIntent } from '../store/bridge-state.js';
import type { Side, Signal } from '../strategy/signal.js';
import { makeOrderRef } from './make-order-ref.js';
import { reconcileIntents } from './reconcile-intents.js';

export interface OpenResult {
  readonly doc: BridgeStateDoc;
  readonly tradeId?: string;
  readonly error?: Error;
}

/**
 * Opens a market order with a write-ahead intent: the intent is saved first (no record, no
 * order), replaced by the trade when the reply comes, and looked up by orderRef when the reply
 * is lost. An order is never sent twice.
 */
export async function openTrade(
  deps: { client: AlgogeneClient; state: BridgeState; log: Logger; bridge: BridgeConfig; settleMs: number },
  doc: BridgeStateDoc,
  side: Side,
  signal: Signal,
  tickAt: Date,
  now: () => number,
): Promise<OpenResult> {
  const { client, state, log, bridge } = deps;
  const intent: OpenIntent = {
    orderRef: makeOrderRef(bridge.id, now()),
    side,
    volume: signal.volume ?? bridge.volume,
    instrument: bridge.instrument,
    tick: tickAt.toISOString(),
    // The tick may have started long before (a slow strategy, closes first): the settle time counts from the send.
    sentAt: new Date(now()).toISOString(),
  };
  const withIntent: BridgeStateDoc = { ...doc, intents: [...doc.intents, intent], recentOrders: [...doc.recentOrders, now()] };
  await state.save(withIntent);
  try {
    const ack = await client.openOrder({
      instrument: intent.instrument,
      side,
      volume: intent.volume,
      orderRef: intent.orderRef,
      takeProfit: signal.takeProfit,
      stopLoss: signal.stopLoss,
    });
    const opened: BridgeStateDoc = {
      ...withIntent,
      intents: withIntent.intents.filter((i) => i.orderRef !== intent.orderRef),
      trades: [
        ...withIntent.trades,
        { tradeId: ack.tradeId, orderRef: intent.orderRef, side, volume: intent.volume, instrument: intent.instrument, openedAt: new Date(now()).toISOString() },
      ],
    };
    await state.save(opened);
    return { doc: opened, tradeId: ack.tradeId };
  } catch (error) {
    if (!(error instanceof AlgogeneError)) throw error;
    // Refused, or failed before it was sent (the session renewal it needed failed): nothing was
    // placed, so the intent goes and the order does not count against the hourly limit.
    if (error.outcome === 'rejected' || error.endpoint !== '/open_order') {
      const cleared = { ...withIntent, intents: withIntent.intents.filter((i) => i.orderRef !== intent.orderRef), recentOrders: doc.recentOrders };
      await state.save(cleared);
      return { doc: cleared, error };
    }
    log.warn({ orderRef: intent.orderRef, error: error.message }, 'open_order outcome unknown: looking it up by orderRef');
    const settled = await reconcileIntents(client, state, withIntent, log, { now: now(), settleMs: deps.settleMs }).catch(() => withIntent);
    const adopted = settled.trades.find((t) => t.orderRef === intent.orderRef);
    return adopted ? { doc: settled, tradeId: adopted.tradeId } : { doc: settled, error };
  }
}
