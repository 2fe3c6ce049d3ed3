/**
 * What the simulator says of one account after a chaos run: the oracle the crash test and the
 * soak assert on. "Lost" is a trade still live on the account after the bridge closed everything
 * it tracks (nobody will ever close it); "doubled" is an orderRef that reached the server twice.
 */
import { expect } from 'vitest';
import type { TradeSnapshot } from '../../src/sim/index.js';

export interface Ledger {
  readonly trades: number;
  readonly closed: number;
  readonly cancelled: number;
  /** Still open or pending: forgotten by the bridge. */
  readonly live: TradeSnapshot[];
  /** orderRefs seen on more than one trade. */
  readonly doubled: string[];
  /** Trades whose orderRef is not this bridge's (sb.<id>.…). */
  readonly foreign: TradeSnapshot[];
}

export function ledgerOf(trades: readonly TradeSnapshot[], bridgeId: string): Ledger {
  const counts = new Map<string, number>();
  for (const t of trades) counts.set(t.orderRef, (counts.get(t.orderRef) ?? 0) + 1);
  return {
    trades: trades.length,
    closed: trades.filter((t) => t.state === 'closed').length,
    cancelled: trades.filter((t) => t.state === 'cancelled').length,
    live: trades.filter((t) => t.state === 'open' || t.state === 'pending'),
    doubled: [...counts].filter(([, n]) => n > 1).map(([ref]) => ref),
    foreign: trades.filter((t) => !t.orderRef.startsWith(`sb.${bridgeId}.`)),
  };
}

/** 0 lost, 0 doubled, every order this bridge's. */
export function expectNothingLostOrDoubled(ledger: Ledger): void {
  expect(ledger.live.map((t) => `${t.tradeId} ${t.state} ${t.orderRef}`), 'trades left live on the account (lost)').toEqual([]);
  expect(ledger.doubled, 'orderRefs placed twice (doubled)').toEqual([]);
  expect(ledger.foreign.map((t) => t.orderRef), 'orders without this bridge orderRef prefix').toEqual([]);
  expect(ledger.closed + ledger.cancelled).toBe(ledger.trades);
}

/**
 * The store and the server agree: no order in doubt, every trade live on the account (open, pending, or closing on
 * the server) is tracked, and every tracked trade not "closing" is live. A trade the store holds as "closing" may be
 * closed on the server already: it is forgotten once a look-up confirms it. Returns the IDs tracked as open.
 */
export function expectAgreement(
  trades: readonly TradeSnapshot[],
  doc: { trades: readonly { tradeId: string; status?: string }[]; intents: readonly unknown[] },
): string[] {
  const isLive = (t: TradeSnapshot) => (['open', 'pending', 'closing'] as string[]).includes(t.state);
  const live = trades.filter(isLive).map((t) => t.tradeId).sort();
  const tracked = doc.trades.map((t) => t.tradeId);
  const trackedOpen = doc.trades.filter((t) => t.status !== 'closing').map((t) => t.tradeId).sort();
  expect(doc.intents, 'orders in doubt in the store').toEqual([]);
  expect(live.filter((id) => !tracked.includes(id)), 'trades live on the account that the store does not track').toEqual([]);
  expect(trackedOpen.filter((id) => !live.includes(id)), 'trades tracked as open that the account does not hold').toEqual([]);
  return trackedOpen;
}
