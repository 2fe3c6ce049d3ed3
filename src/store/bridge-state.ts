import { z } from 'zod';
import type { Store } from './create-store.js';
import type { Fence } from './bridge-lease.js';
import { FenceError } from './fence-error.js';
import type { PutResult } from './state-cells.js';
import { StoreError } from './store-error.js';
import { StoreForgotError } from './store-forgot-error.js';

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

/**
 * An intent dropped after its settle window: an unfilled market order is listed nowhere, so it can
 * still fill later. Watched for a while, and adopted if a trade with its orderRef turns up.
 */
const lapsedIntent = openIntent.extend({ lapsedAt: z.string() });

const stateSchema = z.object({
  version: z.literal(1),
  trades: z.array(trackedTrade),
  intents: z.array(openIntent),
  /** Times (epoch ms) of orders sent in the last hour, for BRIDGE_MAX_ORDERS_PER_HOUR. */
  recentOrders: z.array(z.number()).default([]),
  /** The most recent trades the server showed closed (a bounded list). */
  closed: z.array(closedTrade).default([]),
  binding: binding.optional(),
  lapsed: z.array(lapsedIntent).default([]),
});

export type TrackedTrade = z.infer<typeof trackedTrade>;
export type OpenIntent = z.infer<typeof openIntent>;
export type ClosedTrade = z.infer<typeof closedTrade>;
export type LapsedIntent = z.infer<typeof lapsedIntent>;
export type Binding = z.infer<typeof binding>;
export type BridgeStateDoc = z.infer<typeof stateSchema>;

export interface BridgeState {
  load(): Promise<BridgeStateDoc>;
  save(doc: BridgeStateDoc): Promise<void>;
}

export const emptyState = (): BridgeStateDoc => ({ version: 1, trades: [], intents: [], recentOrders: [], closed: [], lapsed: [] });

/**
 * A bridge's whole record in one document, so that every change (intent in, trade in, trade out)
 * is one atomic write. It holds trade IDs and orderRefs, never a key or token. With a lease, each
 * write is fenced: refused (FenceError) once another process took the bridge over, refused
 * (StoreForgotError) when the lease record is gone. Reads stay plain.
 */
export function createBridgeState(store: Store, bridgeId: string, lease?: { fence(): Fence | undefined }): BridgeState {
  const key = `bridge:${bridgeId}:state`;
  // Before the state had its own fenced place it was a Keyv value under `key`: read there once.
  let legacy = true;
  const parse = (raw: unknown): BridgeStateDoc => {
    if (raw === undefined || raw === null) return emptyState();
    const parsed = stateSchema.safeParse(raw);
    if (!parsed.success) {
      // Never guess at a damaged record: acting on it could forget a live trade.
      throw new StoreError(`store ${store.where}: ${key} is not a bridge state (${parsed.error.issues[0]?.message}); inspect it before running again`);
    }
    return parsed.data;
  };
  return {
    async load() {
      let text: string | undefined;
      let raw: unknown;
      try {
        text = await store.states.get(bridgeId);
        if (text === undefined && legacy) raw = await store.keyv.get(key);
      } catch (error) {
        throw new StoreError(`store ${store.where}: cannot read ${key}: ${(error as Error).message}`, { cause: error });
      }
      if (text === undefined) return parse(raw);
      try {
        raw = JSON.parse(text);
      } catch {
        raw = text;
      }
      return parse(raw);
    },
    async save(doc) {
      const fence = lease?.fence();
      if (lease && !fence) throw new FenceError(`bridge ${bridgeId}: this process no longer holds the lease; the write of its state was refused`);
      let verdict: PutResult;
      try {
        verdict = await store.states.put(bridgeId, JSON.stringify(doc), fence);
      } catch (error) {
        throw new StoreError(`store ${store.where}: cannot write ${key}: ${(error as Error).message}`, { cause: error });
      }
      if (verdict === 'fenced') throw new FenceError(`bridge ${bridgeId}: another process took over this bridge (lease epoch ${fence?.epoch} is stale); the write of its state was refused`);
      if (verdict === 'forgotten') throw new StoreForgotError(`store ${store.where}: the lease record of bridge ${bridgeId} is gone: the store lost its data; the write of its state was refused`);
      if (legacy) {
        legacy = false;
        await store.keyv.delete(key).catch(() => false);
      }
    },
  };
}
