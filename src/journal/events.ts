import { z } from 'zod';

/**
 * The events a bridge journals: the contract that scripts reading `journal --json` rely on.
 * Fields a script may need are named the same in every event (tradeId, orderRef, price).
 * Unknown extra fields are kept (loose objects): an older reader must not drop what a newer
 * writer added, or it would break the chain when it re-serialises an entry.
 */
const side = z.enum(['BUY', 'SELL']);
const num = z.number().finite();

export const closeReasons = ['signal', 'halt', 'manual', 'take-profit', 'stop-loss', 'holdtime'] as const;
/** Why a scheduled moment did not tick a bridge: the loop was blocked past it, or the bridge's previous tick still ran. */
export const skipReasons = ['event-loop-blocked', 'previous-tick-running'] as const;
export type SkipReason = (typeof skipReasons)[number];

export const eventSchemas = {
  /** The strategy answered BUY or SELL (a "nothing" is not journaled: it publishes nothing). */
  signal: z.looseObject({ source: z.string(), side, volume: num.optional(), scheduledAt: z.string().optional(), comment: z.string().optional() }),
  /** open_order was sent; recorded once its reply came or was lost, never before the send. */
  order_sent: z.looseObject({ orderRef: z.string(), side, volume: num, instrument: z.string(), sentAt: z.string() }),
  /** The server acknowledged the order. latencyMs: from the scheduled moment (or the signal's arrival) to the acknowledgement. */
  open: z.looseObject({ orderRef: z.string(), tradeId: z.string(), side, volume: num, instrument: z.string(), price: num.optional(), latencyMs: num.optional() }),
  /** close_orders (or cancel_orders for an unfilled order: outcome cancelled) was accepted. */
  close_requested: z.looseObject({
    tradeId: z.string(),
    orderRef: z.string().optional(),
    reason: z.enum(closeReasons),
    outcome: z.string().optional(),
    side: side.optional(),
    volume: num.optional(),
    instrument: z.string().optional(),
  }),
  /** The trade is off the account, with the closing price and realised P&L as the server reports them when known. */
  close: z.looseObject({
    tradeId: z.string(),
    orderRef: z.string().optional(),
    reason: z.enum(closeReasons),
    price: num.optional(),
    openPrice: num.optional(),
    realisedPnl: num.optional(),
    openedAt: z.string().optional(),
    /** The server's own words for why it closed the trade, when it said. */
    serverReason: z.string().optional(),
  }),
  tick_failed: z.looseObject({ reason: z.string(), errorType: z.string().optional(), scheduledAt: z.string().optional() }),
  /** Scheduled moments that did not tick the bridge: `moments` of them, from `scheduledAt` to `last` (when more than one). */
  moment_skipped: z.looseObject({ reason: z.enum(skipReasons), scheduledAt: z.string(), moments: z.number().int().positive(), last: z.string().optional() }),
  /** The halt file or the circuit breaker withheld an order. */
  halt: z.looseObject({ reason: z.string(), kind: z.enum(['halt-file', 'circuit-breaker']) }),
  lease: z.looseObject({ change: z.enum(['acquired', 'lost', 'taken-over', 'released']), holder: z.string().optional() }),
  orphan: z.looseObject({ tradeId: z.string(), orderRef: z.string(), where: z.string().optional() }),
  /** The trade of an order whose reply was lost, found by its orderRef and tracked. */
  adopted: z.looseObject({ tradeId: z.string(), orderRef: z.string(), where: z.string().optional() }),
  /** The process started trading this bridge. */
  start: z.looseObject({ mode: z.string(), runmode: z.string() }),
  /** Events lost because the journal could not be written (after retries); the chain itself stays whole. */
  gap: z.looseObject({ missed: z.number().int().positive(), types: z.array(z.string()), error: z.string() }),
  /** Entries up to `uptoSeq` were exported to `file` and dropped; `anchor` is the hash of entry `uptoSeq`. */
  retention: z.looseObject({ archived: z.number().int().nonnegative(), uptoSeq: z.number().int().nonnegative(), anchor: z.string(), file: z.string() }),
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventOf<T extends EventType> = { type: T } & z.output<(typeof eventSchemas)[T]>;
export type JournalEvent = { [T in EventType]: EventOf<T> }[EventType];

export const eventSchema = z.discriminatedUnion(
  'type',
  Object.entries(eventSchemas).map(([type, schema]) => schema.extend({ type: z.literal(type) })) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** What the journal stores: the event, its place in the bridge's chain and the chain's hashes. */
export type JournalEntry = JournalEvent & {
  readonly bridge: string;
  readonly seq: number;
  readonly time: string;
  readonly prev: string;
  readonly hash: string;
};

/** Throws a readable error when `event` does not match its type's schema. */
export function parseEvent(event: unknown): JournalEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) throw new Error(`journal event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`);
  return parsed.data as JournalEvent;
}
