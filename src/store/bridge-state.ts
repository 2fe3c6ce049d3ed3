import { z } from 'zod';
import type { Store } from './create-store.js';
import { StoreError } from './store-error.js';

const side = z.enum(['BUY', 'SELL']);

const trackedTrade = z.object({
  tradeId: z.string().regex(/^\d+$/),
  orderRef: z.string(),
  side,
  volume: z.number().positive(),
  instrument: z.string(),
  openedAt: z.string(),
  /** `closing`: close_orders answered SUCCESS (submitted, not done); forgotten once a look-up shows it closed. Absent: open. */
  status: z.enum(['open', 'closing']).optional(),
  /** When the close was last sent: a close not carried out after a grace period is sent again. */
  closeSentAt: z.string().optional(),
});

/** A trade the server showed closed, kept a while so that a recycled trade ID is recognised. */
const closedTrade = z.object({
  tradeId: z.string().regex(/^\d+$/),
  orderRef: z.string(),
  /** `bridge`: our close, confirmed; `server`: take-profit, stop-loss, holdtime or another hand. */
  by: z.enum(['bridge', 'server']),
  price: z.number().optional(),
  reason: z.string().optional(),
  closedAt: z.string(),
});

/** The account a record belongs to: started with another, the bridge refuses and changes nothing. */
const binding = z.object({
  user: z.string(),
  accountId: z.string(),
  runmode: z.string(),
  instrument: z.string(),
  host: z.string(),
});

/** Written before open_order is sent, replaced by the trade once its ID is known. */
const openIntent = z.object({
  orderRef: z.string(),
  side,
  volume: z.number().positive(),
  instrument: z.string(),
  tick: z.string(),
  /** When open_order was sent (just after this record was written); how long it may take to appear counts from here. */
  sentAt: z.string().optional(),
  /** Set when a look-up first found nothing: it is looked for again until settled, then dropped. */
  checkedAt: z.string().optional(),
});

const stateSchema = z.object({
  version: z.literal(1),
  trades: z.array(trackedTrade),
  intents: z.array(openIntent),
  /** Times (epoch ms) of orders sent in the last hour, for BRIDGE_MAX_ORDERS_PER_HOUR. */
  recentOrders: z.array(z.number()).default([]),
  /** The most recent trades the server showed closed (a bounded list). */
  closed: z.array(closedTrade).default([]),
  binding: binding.optional(),
});

export type TrackedTrade = z.infer<typeof trackedTrade>;
export type OpenIntent = z.infer<typeof openIntent>;
export type ClosedTrade = z.infer<typeof closedTrade>;
export type Binding = z.infer<typeof binding>;
export type BridgeStateDoc = z.infer<typeof stateSchema>;

export interface BridgeState {
  load(): Promise<BridgeStateDoc>;
  save(doc: BridgeStateDoc): Promise<void>;
}

export const emptyState = (): BridgeStateDoc => ({ version: 1, trades: [], intents: [], recentOrders: [], closed: [] });

/**
 * A bridge's whole record in one key, so that every change (intent in, trade in, trade out) is
 * one atomic write. It holds trade IDs and orderRefs, never a key or token.
 */
export function createBridgeState(store: Store, bridgeId: string): BridgeState {
  const key = `bridge:${bridgeId}:state`;
  return {
    async load() {
      let raw: unknown;
      try {
        raw = await store.keyv.get(key);
      } catch (error) {
        throw new StoreError(`store ${store.where}: cannot read ${key}: ${(error as Error).message}`);
      }
      if (raw === undefined || raw === null) return emptyState();
      const parsed = stateSchema.safeParse(raw);
      if (!parsed.success) {
        // Never guess at a damaged record: acting on it could forget a live trade.
        throw new StoreError(`store ${store.where}: ${key} is not a bridge state (${parsed.error.issues[0]?.message}); inspect it before running again`);
      }
      return parsed.data;
    },
    async save(doc) {
      try {
        await store.keyv.set(key, doc);
      } catch (error) {
        throw new StoreError(`store ${store.where}: cannot write ${key}: ${(error as Error).message}`);
      }
    },
  };
}
