/**
 * An order that fills between two questions to the server. /opened_trades and /pending_trades are separate calls;
 * a pending order can fill after the first answered and before the second did. The soak with a fill delay found
 * live trades taken for gone (and forgotten) this way; these pin the fix with a scripted client.
 */
import { describe, expect, it } from 'vitest';
import type { AlgogeneClient, Trade } from '../../src/algogene/create-client.js';
import { findByOrderRef, locateTrade } from '../../src/bridge/locate-trade.js';

const TRADE: Trade = { tradeId: '746805590705', side: 'BUY', instrument: 'BTCUSD', price: 30_086.67, volume: 1, orderRef: 'sb.b1.x1' };

/** A client whose order is pending until `fillAfter` list calls have been answered, then open. */
function fillingClient(fillAfter: number): AlgogeneClient & { calls: string[] } {
  const calls: string[] = [];
  const filled = () => calls.length > fillAfter;
  const unused = () => Promise.reject(new Error('not expected in this test'));
  return {
    calls,
    async openedTrades() {
      calls.push('opened');
      return filled() ? [TRADE] : [];
    },
    async pendingTrades() {
      calls.push('pending');
      return filled() ? [] : [TRADE];
    },
    openOrder: unused,
    closeOrders: unused,
    cancelOrders: unused,
    history: unused,
  };
}

describe('locateTrade', () => {
  it('pending when /opened_trades answered, filled before /pending_trades did: open, not gone', async () => {
    const client = fillingClient(1);
    expect(await locateTrade(client, TRADE.tradeId)).toMatchObject({ where: 'open', trade: { tradeId: TRADE.tradeId } });
    expect(client.calls).toEqual(['opened', 'pending', 'opened']);
  });

  it('an open trade takes one question; a pending one two', async () => {
    const open = fillingClient(0);
    expect(await locateTrade(open, TRADE.tradeId)).toMatchObject({ where: 'open' });
    expect(open.calls).toEqual(['opened']);
    const pending = fillingClient(99);
    expect(await locateTrade(pending, TRADE.tradeId)).toMatchObject({ where: 'pending' });
    expect(pending.calls).toEqual(['opened', 'pending']);
  });

  it('gone only when neither list has it, /opened_trades asked twice', async () => {
    const calls: string[] = [];
    const client = { ...fillingClient(0), openedTrades: async () => (calls.push('opened'), []), pendingTrades: async () => (calls.push('pending'), []) };
    expect(await locateTrade(client, TRADE.tradeId)).toEqual({ where: 'gone' });
    expect(calls).toEqual(['opened', 'pending', 'opened']);
  });
});

describe('findByOrderRef', () => {
  it('asks /pending_trades first, then /opened_trades: an order filling in between is found open', async () => {
    const client = fillingClient(1);
    expect(await findByOrderRef(client, TRADE.orderRef)).toMatchObject({ where: 'open', trade: { tradeId: TRADE.tradeId } });
    expect(client.calls).toEqual(['pending', 'opened']);
  });

  it('an order still pending is found pending', async () => {
    expect(await findByOrderRef(fillingClient(99), TRADE.orderRef)).toMatchObject({ where: 'pending' });
  });

  it('an order in neither list is not found', async () => {
    expect(await findByOrderRef(fillingClient(99), 'sb.b1.other')).toBeUndefined();
  });
});
