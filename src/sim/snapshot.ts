/** What `books()` hands to tests: plain data, times in epoch milliseconds. */
import type { BookKey, CloseReason, NewOrder, Trade, TradeState } from './book.js';

export interface TradeSnapshot extends BookKey, NewOrder {
  tradeId: string;
  /** `closing`: close_orders accepted, the close delay not over yet (still in /opened_trades). */
  state: TradeState;
  placedAt: number;
  openedAt: number | null;
  closeRequestedAt: number | null;
  /** close_orders requests accepted for this trade (more than 1: the client asked again). */
  closeRequests: number;
  /** Of those, the ones the broker refused (close-refused fault): the trade stayed open. */
  closeRefusals: number;
  closedAt: number | null;
  cancelledAt: number | null;
  entryPrice: number | null;
  closePrice: number | null;
  closeReason: CloseReason | null;
  realizedPL: number | null;
}

const ms = (us: number | null) => (us === null ? null : Math.floor(us / 1000));

export function toSnapshot(t: Trade): TradeSnapshot {
  return {
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
    closeRequestedAt: ms(t.closeRequestedUs),
    closeRequests: t.closeRequests,
    closeRefusals: t.closeRefusals,
    closedAt: t.state === 'closed' ? ms(t.endedUs) : null,
    cancelledAt: t.state === 'cancelled' ? ms(t.endedUs) : null,
    entryPrice: t.entryPrice,
    closePrice: t.closePrice,
    closeReason: t.closeReason,
    realizedPL: t.realizedPL,
  };
}
