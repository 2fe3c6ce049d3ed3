import { setTimeout as sleep } from 'node:timers/promises';
import { AlgogeneError } from '../algogene/algogene-error.js';
import type { AlgogeneClient, OrderAck, OrderRequest } from '../algogene/create-client.js';
import { RateLimitError } from '../algogene/rate-limit-error.js';
import type { BridgeConfig } from '../config.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeState, BridgeStateDoc, OpenIntent } from '../store/bridge-state.js';
import type { Side, Signal } from '../strategy/signal.js';
import { findByOrderRef } from './locate-trade.js';
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
    const ack = await sendOnce(client, log, {
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

// Longer waits fail the tick: the next one decides afresh.
const MAX_RATE_LIMIT_WAIT_MS = 5_000;

/**
 * Sends the order; on a 429 waits as told (within the tick's budget), makes sure by orderRef
 * that the order did not go through after all, and sends it once more. No other retry.
 */
async function sendOnce(client: AlgogeneClient, log: Logger, order: OrderRequest): Promise<OrderAck> {
  try {
    return await client.openOrder(order);
  } catch (error) {
    if (!(error instanceof RateLimitError) || error.retryAfterMs > MAX_RATE_LIMIT_WAIT_MS) throw error;
    log.warn({ orderRef: order.orderRef, retryAfterMs: error.retryAfterMs }, 'open_order rate limited: waiting as told, then sending once more');
    await sleep(error.retryAfterMs);
    const found = await findByOrderRef(client, order.orderRef);
    if (found) return { tradeId: found.trade.tradeId, status: found.where === 'open' ? 'OPEN' : 'PENDING_TO_FILL' };
    return client.openOrder(order);
  }
}
