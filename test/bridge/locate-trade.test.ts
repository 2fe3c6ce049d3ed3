/**
 * Where a tracked trade is, and what an order became, with a scripted client. The lists cannot
 * always tell (an unfilled market order is listed nowhere, a list can answer empty by mistake, an
 * order can fill between two questions): a trade is called closed only on the server's word.
 */
import { describe, expect, it } from 'vitest';
import { lookUpClient } from '../helpers/look-up-client.js';
import type { AlgogeneClient, OrderState, StrategyTrade, Trade } from '../../src/algogene/create-client.js';
import { findByOrderRef, locateTrade } from '../../src/bridge/locate-trade.js';

const TRADE: Trade = { tradeId: '746805590705', side: 'BUY', instrument: 'BTCUSD', price: 30_086.67, volume: 1, orderRef: 'sb.b1.x1' };

interface Script {
  opened?: (call: number) => Trade[];
  pending?: () => Trade[];
  history?: StrategyTrade[] | Error;
  order?: OrderState['state'];
}

function scripted(script: Script): AlgogeneClient & { calls: string[] } {
  const calls: string[] = [];
  let openedCalls = 0;
  return lookUpClient({
    calls,
    async openedTrades() {
      calls.push('opened');
      return (script.opened ?? (() => []))(openedCalls++);
    },
    async pendingTrades() {
      calls.push('pending');
      return (script.pending ?? (() => []))();
    },
    async strategyTrades(filter) {
      calls.push(`strategy_trade ${filter?.orderRef ?? ''}`);
      if (script.history instanceof Error) throw script.history;
      return (script.history ?? []).filter((r) => filter?.orderRef === undefined || r.orderRef === filter.orderRef);
    },
    async queryOrder(tradeId) {
      calls.push('query_order');
      return { tradeId, state: script.order ?? 'unknown', status: (script.order ?? '').toUpperCase(), errMsg: script.order ? undefined : 'Trade not found' };
    },
  });
}

const closeRow: StrategyTrade = { tradeId: TRADE.tradeId, openclose: 'close', orderRef: TRADE.orderRef, price: 30_500.5, reason: 'take profit', timestamp: '2023-08-31 15:00:00.000000' };
const openRow: StrategyTrade = { tradeId: TRADE.tradeId, openclose: 'open', orderRef: TRADE.orderRef, price: 30_086.67 };

describe('locateTrade', () => {
  it('an open trade takes one question', async () => {
    const client = scripted({ opened: () => [TRADE] });
    expect(await locateTrade(client, TRADE)).toMatchObject({ where: 'open', trade: { tradeId: TRADE.tradeId } });
    expect(client.calls).toEqual(['opened']);
  });

  it('a listed pending order takes two', async () => {
    const client = scripted({ pending: () => [TRADE] });
    expect(await locateTrade(client, TRADE)).toMatchObject({ where: 'pending' });
    expect(client.calls).toEqual(['opened', 'pending']);
  });

  it('closed only when strategy_trade records its close, with the closing price and reason', async () => {
    const client = scripted({ history: [openRow, closeRow] });
    expect(await locateTrade(client, TRADE)).toEqual({ where: 'closed', price: 30_500.5, reason: 'take profit', at: closeRow.timestamp, rows: [openRow, closeRow] });
    expect(client.calls).toEqual(['opened', 'pending', `strategy_trade ${TRADE.orderRef}`]);
  });

  it('an unfilled market order listed nowhere is pending on query_order\'s word, not gone', async () => {
    const client = scripted({ history: [], order: 'pending' });
    expect(await locateTrade(client, TRADE)).toEqual({ where: 'pending' });
  });

  it('filled between the questions (query_order FILLED): /opened_trades is asked again and shows it open', async () => {
    const client = scripted({ opened: (n) => (n === 0 ? [] : [TRADE]), history: [openRow], order: 'filled' });
    expect(await locateTrade(client, TRADE)).toMatchObject({ where: 'open' });
    expect(client.calls).toEqual(['opened', 'pending', `strategy_trade ${TRADE.orderRef}`, 'query_order', 'opened']);
  });

  it('an empty /opened_trades with no recorded close is unknown, never closed', async () => {
    const filled = await locateTrade(scripted({ history: [openRow], order: 'filled' }), TRADE);
    expect(filled.where).toBe('unknown');
    const notFound = await locateTrade(scripted({ history: [] }), TRADE);
    expect(notFound).toMatchObject({ where: 'unknown', detail: expect.stringContaining('Trade not found') });
  });

  it('a failed definitive look-up throws: nothing is concluded', async () => {
    await expect(locateTrade(scripted({ history: new Error('HTTP 500') }), TRADE)).rejects.toThrow('HTTP 500');
  });
});

describe('findByOrderRef', () => {
  it('asks /pending_trades first, then /opened_trades: an order filling in between is found open', async () => {
    let filled = false;
    const client = scripted({ pending: () => ((filled = true), [TRADE]), opened: () => (filled ? [TRADE] : []) });
    expect(await findByOrderRef(client, TRADE.orderRef)).toMatchObject({ where: 'open', tradeId: TRADE.tradeId });
    expect(client.calls).toEqual(['pending', 'opened']);
  });

  it('an order still pending is found pending', async () => {
    expect(await findByOrderRef(scripted({ pending: () => [TRADE] }), TRADE.orderRef)).toMatchObject({ where: 'pending' });
  });

  it('an order already closed (by a take-profit, say) is found in strategy_trade, closed, with its price', async () => {
    expect(await findByOrderRef(scripted({ history: [openRow, closeRow] }), TRADE.orderRef)).toMatchObject({ where: 'closed', tradeId: TRADE.tradeId, price: 30_500.5 });
  });

  it('an order absent from both lists and from strategy_trade is not found', async () => {
    const client = scripted({ history: [openRow] });
    expect(await findByOrderRef(client, 'sb.b1.other')).toBeUndefined();
    expect(client.calls).toEqual(['pending', 'opened', 'strategy_trade sb.b1.other']);
  });

  it('a failed strategy_trade look-up throws rather than answer "not found"', async () => {
    await expect(findByOrderRef(scripted({ history: new Error('HTTP 500') }), TRADE.orderRef)).rejects.toThrow('HTTP 500');
  });
});
