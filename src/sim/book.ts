/** Trades, kept per (user, accountid, runmode) book, with time-based fills. */
import { randomInt } from 'node:crypto';
import type { PriceFeed } from './prices.js';

export type TradeState = 'pending' | 'open' | 'closed' | 'cancelled';
export type Side = 'BUY' | 'SELL';

export interface BookKey {
  user: string;
  accountid: string;
  runmode: string;
}

export interface NewOrder {
  instrument: string;
  buysell: Side;
  volume: number;
  orderRef: string;
  takeProfitLevel: number;
  stopLossLevel: number;
  holdtime: number;
}

export interface Trade extends BookKey, NewOrder {
  tradeId: string;
  state: TradeState;
  placedUs: number;
  fillAtUs: number;
  openedUs: number | null;
  endedUs: number | null;
  /** Market price when placed; what a pending order shows. */
  placePrice: number;
  entryPrice: number | null;
  closePrice: number | null;
}

/** What `books()` hands to tests: plain data, times in epoch milliseconds. */
export interface TradeSnapshot extends BookKey, NewOrder {
  tradeId: string;
  state: TradeState;
  placedAt: number;
  openedAt: number | null;
  closedAt: number | null;
  cancelledAt: number | null;
  entryPrice: number | null;
  closePrice: number | null;
}

export type IdsResult = { ok: true; ids: string[] } | { ok: false; missing: string };

interface Book {
  trades: Map<string, Trade>;
  pending: Set<Trade>;
}

const bookId = (k: BookKey) => JSON.stringify([k.user, k.accountid, k.runmode]);
const sign = (side: Side) => (side === 'BUY' ? 1 : -1);

export class Books {
  private readonly books = new Map<string, Book>();
  private readonly all: Trade[] = [];
  private nextId: number;

  constructor(
    private readonly prices: PriceFeed,
    private readonly fillDelayUs: number,
    tradeIdStart: number | undefined,
  ) {
    // Random start so IDs from one simulator run are not mistaken for another's; 12 digits like the real ones.
    this.nextId = tradeIdStart ?? 746_800_000_000 + randomInt(0, 90_000_000);
  }

  place(key: BookKey, order: NewOrder, nowUs: number): Trade {
    const book = this.create(key);
    const quote = this.prices.quote(order.instrument, nowUs / 1000);
    const trade: Trade = {
      ...key,
      ...order,
      tradeId: String(this.nextId),
      state: 'pending',
      placedUs: nowUs,
      fillAtUs: nowUs + this.fillDelayUs,
      openedUs: null,
      endedUs: null,
      placePrice: order.buysell === 'BUY' ? quote.ask : quote.bid,
      entryPrice: null,
      closePrice: null,
    };
    // Gaps between IDs, as in the real service, so a client cannot get away with assuming consecutive IDs.
    this.nextId += 1 + randomInt(0, 100);
    book.trades.set(trade.tradeId, trade);
    book.pending.add(trade);
    this.all.push(trade);
    this.settle(book, nowUs);
    return trade;
  }

  /** Trades of one book in one state, oldest first; `tradeId` narrows to that trade. */
  list(key: BookKey, state: 'pending' | 'open', nowUs: number, tradeId?: string): Trade[] {
    const book = this.find(key);
    if (!book) return [];
    this.settle(book, nowUs);
    if (tradeId !== undefined) {
      const t = book.trades.get(tradeId);
      return t?.state === state ? [t] : [];
    }
    return [...book.trades.values()].filter((t) => t.state === state);
  }

  /** All-or-nothing: if one ID is not an open trade of this book nothing is closed. */
  close(key: BookKey, ids: string[], nowUs: number): IdsResult {
    return this.end(key, ids, 'open', 'closed', nowUs);
  }

  cancel(key: BookKey, ids: string[], nowUs: number): IdsResult {
    return this.end(key, ids, 'pending', 'cancelled', nowUs);
  }

  /** Current bid/ask for the side that would close the trade, and the resulting P/L. */
  mark(t: Trade, nowUs: number): { price: number; pl: number } {
    const q = this.prices.quote(t.instrument, nowUs / 1000);
    const price = t.buysell === 'BUY' ? q.bid : q.ask;
    const pl = t.entryPrice === null ? 0 : (price - t.entryPrice) * t.volume * sign(t.buysell);
    return { price, pl: Math.round(pl * 100) / 100 };
  }

  snapshot(nowUs: number): TradeSnapshot[] {
    for (const book of this.books.values()) this.settle(book, nowUs);
    const ms = (us: number | null) => (us === null ? null : Math.floor(us / 1000));
    return this.all.map((t) => ({
      user: t.user,
      accountid: t.accountid,
      runmode: t.runmode,
      instrument: t.instrument,
      buysell: t.buysell,
      volume: t.volume,
      orderRef: t.orderRef,
      takeProfitLevel: t.takeProfitLevel,
      stopLossLevel: t.stopLossLevel,
      holdtime: t.holdtime,
      tradeId: t.tradeId,
      state: t.state,
      placedAt: Math.floor(t.placedUs / 1000),
      openedAt: ms(t.openedUs),
      closedAt: t.state === 'closed' ? ms(t.endedUs) : null,
      cancelledAt: t.state === 'cancelled' ? ms(t.endedUs) : null,
      entryPrice: t.entryPrice,
      closePrice: t.closePrice,
    }));
  }

  private end(key: BookKey, ids: string[], from: TradeState, to: TradeState, nowUs: number): IdsResult {
    const book = this.find(key);
    if (book) this.settle(book, nowUs);
    const unique = [...new Set(ids)];
    const found: Trade[] = [];
    for (const id of unique) {
      const t = book?.trades.get(id);
      if (t?.state !== from) return { ok: false, missing: id };
      found.push(t);
    }
    for (const t of found) {
      t.state = to;
      t.endedUs = nowUs;
      if (to === 'closed') t.closePrice = this.mark(t, nowUs).price;
      book?.pending.delete(t);
    }
    return { ok: true, ids: unique };
  }

  /**
   * Fills are applied lazily when a book is looked at. The fill time is the logical one (placement + delay);
   * the fill price is the market price when the fill is first observed, which a client cannot tell apart.
   */
  private settle(book: Book, nowUs: number): void {
    for (const t of book.pending) {
      if (t.fillAtUs > nowUs) continue;
      const q = this.prices.quote(t.instrument, nowUs / 1000);
      t.state = 'open';
      t.openedUs = t.fillAtUs;
      t.entryPrice = t.buysell === 'BUY' ? q.ask : q.bid;
      book.pending.delete(t);
    }
  }

  /** Lookups never create a book, so queries with made-up account IDs cost no memory. */
  private find(key: BookKey): Book | undefined {
    return this.books.get(bookId(key));
  }

  private create(key: BookKey): Book {
    const id = bookId(key);
    let b = this.books.get(id);
    if (!b) {
      b = { trades: new Map(), pending: new Set() };
      this.books.set(id, b);
    }
    return b;
  }
}
