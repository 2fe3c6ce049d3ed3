/**
 * Trades, kept per (user, accountid, runmode) book. Time drives them: a market order fills after the fill delay, a
 * close request takes effect after the close delay, and take-profit, stop-loss and holdtime close a trade by
 * themselves. All of it is applied lazily, whenever a book is looked at, at the logical time it happened.
 */
import { randomInt } from 'node:crypto';
import type { PriceFeed } from './prices.js';

export type TradeState = 'pending' | 'open' | 'closing' | 'closed' | 'cancelled';
export type Side = 'BUY' | 'SELL';
/** Why a trade closed: a close_orders request, or the server on its own. */
export type CloseReason = 'api' | 'takeProfit' | 'stopLoss' | 'holdtime';

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
  /** When close_orders was first accepted for it. */
  closeRequestedUs: number | null;
  closeAtUs: number | null;
  /** close_orders requests accepted for it (a second one while closing is answered SUCCESS and changes nothing). */
  closeRequests: number;
  /** Accepted closes that the broker then refused (close-refused fault): the trade stayed open. */
  closeRefusals: number;
  endedUs: number | null;
  /** Market price when placed. */
  placePrice: number;
  entryPrice: number | null;
  closePrice: number | null;
  closeReason: CloseReason | null;
  /** Rounded to cents; what strategy_trade, strategy_pl and strategy_stats add up. */
  realizedPL: number | null;
  /** First walk step not yet checked against take-profit / stop-loss. */
  checkFromStep: number;
  /** Last time it was seen still open: a server-side close found later is dated no earlier. */
  seenOpenUs: number;
}

export type IdsResult = { ok: true; ids: string[] } | { ok: false; missing: string };

interface Book {
  trades: Map<string, Trade>;
  /** Trades time can still change (pending, open, closing): settling looks at these only. */
  active: Set<Trade>;
}

const bookId = (k: BookKey) => JSON.stringify([k.user, k.accountid, k.runmode]);
const sign = (side: Side) => (side === 'BUY' ? 1 : -1);
export const cents = (x: number) => Math.round(x * 100) / 100;
const live = (t: Trade) => t.state === 'open' || t.state === 'closing';

export class Books {
  private readonly books = new Map<string, Book>();
  private readonly all: Trade[] = [];
  private nextId: number;

  constructor(
    private readonly prices: PriceFeed,
    private readonly delays: { fillUs: number; closeUs: number },
    private readonly serverCloses: boolean,
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
      fillAtUs: nowUs + this.delays.fillUs,
      openedUs: null,
      closeRequestedUs: null,
      closeAtUs: null,
      closeRequests: 0,
      closeRefusals: 0,
      endedUs: null,
      placePrice: order.buysell === 'BUY' ? quote.ask : quote.bid,
      entryPrice: null,
      closePrice: null,
      closeReason: null,
      realizedPL: null,
      checkFromStep: 0,
      seenOpenUs: 0,
    };
    // Gaps between IDs, as in the real service, so a client cannot get away with assuming consecutive IDs.
    this.nextId += 1 + randomInt(0, 100);
    book.trades.set(trade.tradeId, trade);
    book.active.add(trade);
    this.all.push(trade);
    this.settle(book, nowUs);
    return trade;
  }

  /** Every trade of one book, oldest first, settled to now. */
  trades(key: BookKey, nowUs: number): Trade[] {
    const book = this.find(key);
    if (!book) return [];
    this.settle(book, nowUs);
    return [...book.trades.values()];
  }

  /** One trade of one book, settled to now. */
  get(key: BookKey, tradeId: string, nowUs: number): Trade | undefined {
    const book = this.find(key);
    if (!book) return undefined;
    this.settle(book, nowUs);
    return book.trades.get(tradeId);
  }

  /** The most recent closed trade of the book placed before `tradeId` (what a recycled-ID fault answers). */
  olderClosed(key: BookKey, tradeId: string): Trade | undefined {
    const trades = [...(this.find(key)?.trades.values() ?? [])];
    return trades.reverse().find((t) => t.tradeId !== tradeId && t.state === 'closed');
  }

  /**
   * All-or-nothing: if one ID is not a filled trade of this book that is still open, nothing is closed.
   * `brokerRefuses`: the request is accepted, and the broker refuses it; an open trade stays open.
   */
  close(key: BookKey, ids: string[], nowUs: number, brokerRefuses = false): IdsResult {
    const book = this.find(key);
    if (book) this.settle(book, nowUs);
    const unique = [...new Set(ids)];
    const found: Trade[] = [];
    for (const id of unique) {
      const t = book?.trades.get(id);
      if (!t || !live(t)) return { ok: false, missing: id };
      found.push(t);
    }
    for (const t of found) {
      t.closeRequests++;
      if (brokerRefuses && t.state === 'open') t.closeRefusals++;
      if (t.state === 'closing' || brokerRefuses) continue;
      t.state = 'closing';
      t.closeRequestedUs = nowUs;
      t.closeAtUs = nowUs + this.delays.closeUs;
    }
    if (book) this.settle(book, nowUs);
    return { ok: true, ids: unique };
  }

  /** The IDs of the book's filled, still open trades carrying `orderRef`. */
  idsByRef(key: BookKey, orderRef: string, nowUs: number): string[] {
    return this.trades(key, nowUs)
      .filter((t) => live(t) && t.orderRef === orderRef)
      .map((t) => t.tradeId);
  }

  /** Cancels orders not filled yet; all-or-nothing like close. */
  cancel(key: BookKey, ids: string[], nowUs: number): IdsResult {
    const book = this.find(key);
    if (book) this.settle(book, nowUs);
    const unique = [...new Set(ids)];
    const found: Trade[] = [];
    for (const id of unique) {
      const t = book?.trades.get(id);
      if (t?.state !== 'pending') return { ok: false, missing: id };
      found.push(t);
    }
    for (const t of found) {
      t.state = 'cancelled';
      t.endedUs = nowUs;
    }
    return { ok: true, ids: unique };
  }

  /** Current bid/ask for the side that would close the trade, and the resulting P/L (cents). */
  mark(t: Trade, nowUs: number): { price: number; pl: number } {
    const q = this.prices.quote(t.instrument, nowUs / 1000);
    const price = t.buysell === 'BUY' ? q.bid : q.ask;
    return { price, pl: t.entryPrice === null ? 0 : this.pl(t, price) };
  }

  /** Every trade ever created, in creation order, settled to now. */
  everything(nowUs: number): Trade[] {
    for (const book of this.books.values()) this.settle(book, nowUs);
    return this.all;
  }

  private pl(t: Trade, price: number): number {
    const size = this.prices.spec(t.instrument)?.contractSize ?? 1;
    return cents((price - t.entryPrice!) * t.volume * size * sign(t.buysell));
  }

  private settle(book: Book, nowUs: number): void {
    for (const t of book.active) {
      if (t.state === 'pending' && t.fillAtUs <= nowUs) this.fill(t, nowUs);
      if (live(t)) this.checkClose(t, nowUs);
      if (t.state === 'closed' || t.state === 'cancelled') book.active.delete(t);
    }
  }

  /** The fill time is the logical one (placement + delay); the price is the market when the fill is first seen. */
  private fill(t: Trade, nowUs: number): void {
    const q = this.prices.quote(t.instrument, nowUs / 1000);
    t.state = 'open';
    t.openedUs = t.fillAtUs;
    t.entryPrice = t.buysell === 'BUY' ? q.ask : q.bid;
    t.checkFromStep = this.prices.currentStep(t.instrument);
    t.seenOpenUs = nowUs;
  }

  /** Closes the trade at the earliest of: its requested close, its holdtime, a walk step that hits TP or SL. */
  private checkClose(t: Trade, nowUs: number): void {
    const nowMs = nowUs / 1000;
    this.prices.quote(t.instrument, nowMs);
    const events: Array<{ atUs: number; reason: CloseReason; step: number }> = [];
    if (t.closeAtUs !== null && t.closeAtUs <= nowUs) events.push({ atUs: t.closeAtUs, reason: 'api', step: this.prices.stepOf(t.closeAtUs / 1000) });
    const holdEnd = this.serverCloses && t.holdtime > 0 ? t.openedUs! + t.holdtime * 1_000_000 : Infinity;
    if (holdEnd <= nowUs) events.push({ atUs: holdEnd, reason: 'holdtime', step: this.prices.stepOf(holdEnd / 1000) });
    const hit = this.serverCloses ? this.levelHit(t, this.prices.currentStep(t.instrument)) : null;
    if (hit) events.push(hit);
    events.sort((a, b) => a.atUs - b.atUs);
    const first = events[0];
    if (!first) {
      t.seenOpenUs = nowUs;
      return;
    }
    const q = this.prices.quoteAtStep(t.instrument, first.step);
    t.closePrice = t.buysell === 'BUY' ? q.bid : q.ask;
    t.state = 'closed';
    t.endedUs = first.atUs;
    t.closeReason = first.reason;
    t.realizedPL = this.pl(t, t.closePrice);
  }

  /** Scans the walk steps not checked yet (the current one again: a test may have moved the price within it). */
  private levelHit(t: Trade, lastStep: number): { atUs: number; reason: CloseReason; step: number } | null {
    const { takeProfitLevel: tp, stopLossLevel: sl } = t;
    if (tp <= 0 && sl <= 0) return null;
    const s = sign(t.buysell);
    for (let step = t.checkFromStep; step <= lastStep; step++) {
      const q = this.prices.quoteAtStep(t.instrument, step);
      const price = t.buysell === 'BUY' ? q.bid : q.ask;
      const reason: CloseReason | null =
        tp > 0 && (price - tp) * s >= 0 ? 'takeProfit' : sl > 0 && (sl - price) * s >= 0 ? 'stopLoss' : null;
      if (reason) {
        const atUs = Math.max(t.openedUs!, t.seenOpenUs, this.prices.stepStartMs(step) * 1000);
        return { atUs, reason, step };
      }
    }
    t.checkFromStep = lastStep;
    return null;
  }

  /** Lookups never create a book, so queries with made-up account IDs cost no memory. */
  private find(key: BookKey): Book | undefined {
    return this.books.get(bookId(key));
  }

  private create(key: BookKey): Book {
    const id = bookId(key);
    let b = this.books.get(id);
    if (!b) {
      b = { trades: new Map(), active: new Set() };
      this.books.set(id, b);
    }
    return b;
  }
}
