import { AlgogeneError } from '../algogene/algogene-error.js';
import type { AlgogeneClient } from '../algogene/create-client.js';
import { PausedError } from '../algogene/paused-error.js';
import type { BridgeConfig } from '../config.js';
import { NO_EVENTS, type BridgeEvents } from '../journal/bridge-events.js';
import { recordAdopted } from '../journal/trade-events.js';
import type { Logger } from '../logging/create-logger.js';
import type { Binding, BridgeState, BridgeStateDoc, OpenIntent } from '../store/bridge-state.js';
import type { Side, Signal } from '../strategy/signal.js';
import { makeOrderRef } from './make-order-ref.js';
import { reconcileIntents } from './reconcile-intents.js';
import { RecycledTradeIdError } from './recycled-id-error.js';
import { seenTradeIds } from './settle-tracked.js';

export interface OpenResult {
  readonly doc: BridgeStateDoc;
  readonly tradeId?: string;
  readonly error?: Error;
  /** When open_order was acknowledged: the end of the signal-to-order latency (the writes after it are not on the order's path). */
  readonly ackedAt?: number;
}

/**
 * Opens a market order with a write-ahead intent: the intent is saved first (no record, no
 * order), replaced by the trade when the reply comes, and looked up by orderRef when the reply
 * is lost or cannot be trusted. An order is never sent twice, and an intent leaves only when the
 * server showed the order or said no.
 */
export async function openTrade(
  deps: { client: AlgogeneClient; state: BridgeState; log: Logger; bridge: BridgeConfig; settleMs: number; binding?: Binding; events?: BridgeEvents },
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
  // The first order binds the record to its account (see bind-account.ts).
  const withIntent: BridgeStateDoc = { ...doc, binding: doc.binding ?? deps.binding, intents: [...doc.intents, intent], recentOrders: [...doc.recentOrders, now()] };
  await state.save(withIntent);
  const events = deps.events ?? NO_EVENTS;
  const sent = () => events.record({ type: 'order_sent', orderRef: intent.orderRef, side, volume: intent.volume, instrument: intent.instrument, sentAt: intent.sentAt ?? intent.tick });
  const lookUp = async (error: Error): Promise<OpenResult> => {
    sent();
    // A failed look-up throws out of here with the intent still saved: the next tick looks again.
    const settled = await reconcileIntents(client, state, withIntent, log, { now: now(), settleMs: deps.settleMs });
    const adopted = settled.trades.find((t) => t.orderRef === intent.orderRef);
    recordAdopted(events, withIntent, settled);
    return adopted && !(error instanceof RecycledTradeIdError) ? { doc: settled, tradeId: adopted.tradeId } : { doc: settled, tradeId: adopted?.tradeId, error };
  };
  let ackId: string;
  let ackedAt: number;
  try {
    const ack = await client.openOrder({
      instrument: intent.instrument,
      side,
      volume: intent.volume,
      orderRef: intent.orderRef,
      takeProfit: signal.takeProfit,
      stopLoss: signal.stopLoss,
    });
    ackId = ack.tradeId;
    ackedAt = now();
  } catch (error) {
    if (!(error instanceof AlgogeneError)) throw error;
    if (notPlaced(error)) {
      // Refused by the server: it was sent (the tick's failure says why); paused or without a session: it never left.
      if (error.endpoint === '/open_order') sent();
      const cleared = { ...withIntent, intents: withIntent.intents.filter((i) => i.orderRef !== intent.orderRef), recentOrders: doc.recentOrders };
      await state.save(cleared);
      return { doc: cleared, error };
    }
    // A timeout, a 5xx, a rate limit (a limiter may answer after the order was placed), a reply
    // we could not read: never sent again, looked up by orderRef.
    log.warn({ orderRef: intent.orderRef, error: error.message }, 'open_order outcome unknown: looking it up by orderRef');
    return lookUp(error);
  }
  if (seenTradeIds(doc).has(ackId)) {
    const error = new RecycledTradeIdError(ackId, intent.orderRef);
    log.error({ tradeId: ackId, orderRef: intent.orderRef }, error.message);
    return lookUp(error);
  }
  const opened: BridgeStateDoc = {
    ...withIntent,
    intents: withIntent.intents.filter((i) => i.orderRef !== intent.orderRef),
    trades: [
      ...withIntent.trades,
      { tradeId: ackId, orderRef: intent.orderRef, side, volume: intent.volume, instrument: intent.instrument, openedAt: new Date(now()).toISOString(), status: 'open' },
    ],
  };
  await state.save(opened);
  sent();
  events.record({ type: 'open', orderRef: intent.orderRef, tradeId: ackId, side, volume: intent.volume, instrument: intent.instrument, latencyMs: ackedAt - tickAt.getTime() });
  return { doc: opened, tradeId: ackId, ackedAt };
}

/**
 * Certainly not placed: refused by the server (a FAIL reply, a 4xx, a refused token: the session
 * is checked before the order is read), never sent (the user's calls were paused), or failed on
 * the way (the session renewal it needed). A rate limit is not among them.
 */
function notPlaced(error: AlgogeneError): boolean {
  return error instanceof PausedError || error.endpoint === '/session' || (error.endpoint === '/open_order' && error.outcome === 'rejected');
}
