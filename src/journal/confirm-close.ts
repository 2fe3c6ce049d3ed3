import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../algogene/api-error.js';
import type { Logger } from '../logging/create-logger.js';
import { closeReasons, type EventOf } from './events.js';

/** A transaction of /strategy_trade as the client reads it. */
export interface TradeRow {
  readonly tradeId: string;
  readonly openclose: string;
  readonly price?: number;
  readonly volume?: number;
  readonly timestamp?: string;
  readonly reason?: string;
  /** The close's realised P/L when the server reports one (the simulator does; ALGOGENE's docs are silent). */
  readonly realizedPL?: number;
}

/** The account's transactions of one orderRef (the client's strategyTrades). */
export type TradeRows = (orderRef: string) => Promise<readonly TradeRow[]>;

/** What is known of a close before strategy_trade is read. */
export interface CloseRequest {
  readonly tradeId: string;
  readonly orderRef?: string;
  readonly reason: EventOf<'close'>['reason'];
  readonly side?: 'BUY' | 'SELL';
  readonly volume?: number;
  readonly price?: number;
  readonly serverReason?: string;
}

// strategy_trade may show a close a moment after close_orders was accepted.
export const CONFIRM_DELAYS_MS = [300, 700, 1_500, 3_000, 6_000];

/**
 * The `close` entry of a trade, with the closing price and the realised P&L as the server's
 * transactions show them: its realizedPL, or else (close − open) × volume, signed by side, in cents. Looked up off the
 * tick, a few times while the server catches up; when it never shows the close, the entry says
 * so and carries no P&L rather than a guess. Once `hurry` is aborted (the bridge's lease is being
 * given up), it stops waiting: one look-up now, and the entry is what that shows.
 */
export async function confirmClose(
  lookup: TradeRows,
  request: CloseRequest,
  options: { log: Logger; delaysMs?: readonly number[]; hurry?: AbortSignal },
): Promise<EventOf<'close'>> {
  const base: EventOf<'close'> = { type: 'close', tradeId: request.tradeId, orderRef: request.orderRef, reason: request.reason, price: request.price, serverReason: request.serverReason };
  if (!request.orderRef) return base;
  let lastError: string | undefined;
  const { hurry } = options;
  let last = false;
  for (const delay of options.delaysMs ?? CONFIRM_DELAYS_MS) {
    if (last) break;
    if (!hurry?.aborted) await sleep(delay, undefined, { signal: hurry }).catch(() => undefined);
    // Hurried before or during the wait: this look-up is the last.
    last = hurry?.aborted === true;
    try {
      const close = closeFromRows(await lookup(request.orderRef), request);
      if (close) return close;
    } catch (error) {
      lastError = (error as Error).message;
      // A refusal (this server has no strategy_trade, say) will not change by asking again.
      if (error instanceof ApiError) break;
    }
  }
  const why = lastError ?? (last ? 'strategy_trade did not show the close before the bridge was handed over' : 'strategy_trade did not show the close');
  options.log.warn({ tradeId: request.tradeId, orderRef: request.orderRef, error: why }, 'strategy_trade did not show the close: journaled without its price and P&L');
  return { ...base, unconfirmed: why };
}

/**
 * The `close` entry that a trade's strategy_trade rows make (undefined while they show no close):
 * the closing price, the open price and times, and the realised P&L, (close − open) × volume,
 * signed by side, in cents, or the server's own figure when it reports one.
 */
export function closeFromRows(allRows: readonly TradeRow[], request: CloseRequest): EventOf<'close'> | undefined {
  const rows = allRows.filter((r) => r.tradeId === request.tradeId);
  const close = rows.find((r) => r.openclose === 'close');
  if (!close) return undefined;
  const open = rows.find((r) => r.openclose === 'open');
  const price = close.price ?? request.price;
  const volume = request.volume ?? open?.volume;
  const sign = request.side === 'SELL' ? -1 : request.side === 'BUY' ? 1 : undefined;
  const realisedPnl =
    close.realizedPL ?? (price !== undefined && open?.price !== undefined && volume !== undefined && sign !== undefined ? Math.round((price - open.price) * volume * sign * 100) / 100 : undefined);
  const serverReason = close.reason ?? request.serverReason;
  return {
    type: 'close',
    tradeId: request.tradeId,
    orderRef: request.orderRef,
    reason: reasonOf(serverReason) ?? request.reason,
    price,
    openPrice: open?.price,
    realisedPnl,
    openedAt: isoOf(open?.timestamp),
    closedAt: isoOf(close.timestamp),
    serverReason,
  };
}

/** take-profit, stop-loss and holdtime from whatever words the server uses; undefined for anything else. */
export function reasonOf(text: string | undefined): EventOf<'close'>['reason'] | undefined {
  if (!text) return undefined;
  const t = text.toLowerCase().replace(/[^a-z]/g, '');
  if (t.includes('takeprofit') || t === 'tp') return 'take-profit';
  if (t.includes('stoploss') || t === 'sl') return 'stop-loss';
  if (t.includes('hold')) return 'holdtime';
  return (closeReasons as readonly string[]).includes(text) ? (text as EventOf<'close'>['reason']) : undefined;
}

/** ALGOGENE's "2023-08-31 14:00:53.787035" (UTC) as ISO 8601; other forms as given. */
function isoOf(timestamp: string | undefined): string | undefined {
  if (!timestamp) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,6})?Z?$/.exec(timestamp);
  return m ? `${m[1]}T${m[2]}${(m[3] ?? '.000').padEnd(4, '0').slice(0, 4)}Z` : timestamp;
}
