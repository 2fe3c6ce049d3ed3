/**
 * One round of look-ups for every tracked trade: the account's lists are asked once, however
 * many trades are tracked, and a closing trade gone from the open list is confirmed by
 * strategy_trade alone. In the steady state of a reopen bridge (the trade to close now, the one
 * closed last tick awaiting its confirmation) that is two calls, where one question per list per
 * trade took five.
 */
import { describe, expect, it } from 'vitest';
import { lookUpClient } from '../helpers/look-up-client.js';
import type { AlgogeneClient, StrategyTrade, Trade } from '../../src/algogene/create-client.js';
import { queryTracked } from '../../src/bridge/query-tracked.js';
import type { TrackedTrade } from '../../src/store/bridge-state.js';
import { captureLog } from '../helpers/capture-log.js';

const OPEN: TrackedTrade = { tradeId: '746805590705', orderRef: 'sb.b1.a', side: 'BUY', volume: 1, instrument: 'BTCUSD', openedAt: '2026-11-23T00:00:00.000Z', status: 'open' };
const CLOSING: TrackedTrade = { ...OPEN, tradeId: '746805590700', orderRef: 'sb.b1.z', side: 'SELL', status: 'closing', closeSentAt: '2026-11-23T00:00:00.000Z' };
const listed = (t: TrackedTrade): Trade => ({ tradeId: t.tradeId, side: t.side, instrument: t.instrument, price: 30_000, volume: t.volume, orderRef: t.orderRef });

function scripted(script: { opened: Trade[]; pending?: Trade[]; history?: StrategyTrade[] | Error }): AlgogeneClient & { calls: string[] } {
  const calls: string[] = [];
  return lookUpClient({
    calls,
    async openedTrades() {
      calls.push('opened');
      return script.opened;
    },
    async pendingTrades() {
      calls.push('pending');
      return script.pending ?? [];
    },
    async strategyTrades(filter) {
      calls.push(`strategy_trade ${filter?.orderRef ?? ''}`);
      if (script.history instanceof Error) throw script.history;
      return (script.history ?? []).filter((r) => r.orderRef === filter?.orderRef);
    },
    async queryOrder(tradeId) {
      calls.push(`query_order ${tradeId}`);
      return { tradeId, state: 'unknown', status: '', errMsg: 'Trade not found' };
    },
  });
}

const closeRows: StrategyTrade[] = [
  { tradeId: CLOSING.tradeId, openclose: 'open', orderRef: CLOSING.orderRef, price: 30_100, volume: 1, timestamp: '2026-11-23 00:00:00.000000' },
  { tradeId: CLOSING.tradeId, openclose: 'close', orderRef: CLOSING.orderRef, price: 30_050, timestamp: '2026-11-23 00:01:00.000000' },
];

describe('queryTracked', () => {
  it('the steady state: the open list once and the closing trade\'s strategy_trade, no pending list, no query_order', async () => {
    const client = scripted({ opened: [listed(OPEN)], history: closeRows });
    const query = queryTracked(client, [OPEN, CLOSING], captureLog().log);
    await query.done;
    expect(client.calls).toEqual(['opened', `strategy_trade ${CLOSING.orderRef}`]);
    expect(query.known.get(OPEN.tradeId)).toMatchObject({ where: 'open' });
    // The close is confirmed with the rows that showed it: the journal's entry is made of them.
    expect(query.known.get(CLOSING.tradeId)).toMatchObject({ where: 'closed', price: 30_050, rows: closeRows });
  });

  it('three open trades take one question, not three', async () => {
    const trades = ['1', '2', '3'].map((n) => ({ ...OPEN, tradeId: `74680559070${n}`, orderRef: `sb.b1.${n}` }));
    const client = scripted({ opened: trades.map(listed) });
    const query = queryTracked(client, trades, captureLog().log);
    await query.done;
    expect(client.calls).toEqual(['opened']);
    expect([...query.known.values()].map((l) => l.where)).toEqual(['open', 'open', 'open']);
  });

  it('a closing trade whose close is not carried out yet is still open: found in the list (nothing more asked), and sent again by the tick once overdue', async () => {
    const client = scripted({ opened: [listed(CLOSING)], history: [closeRows[0] as StrategyTrade] });
    const query = queryTracked(client, [CLOSING], captureLog().log);
    await query.done;
    expect(query.known.get(CLOSING.tradeId)).toMatchObject({ where: 'open' });
    expect(client.calls).toEqual(['opened']);
  });

  it('a closing trade listed nowhere and without a recorded close is never called closed: the full look-up leaves it unknown', async () => {
    const client = scripted({ opened: [], history: [] });
    const query = queryTracked(client, [CLOSING], captureLog().log);
    await query.done;
    expect(query.known.get(CLOSING.tradeId)).toMatchObject({ where: 'unknown' });
    expect(client.calls).toContain(`query_order ${CLOSING.tradeId}`);
  });

  it('a closing trade gone from the list whose strategy_trade fails stays not known: nothing concluded', async () => {
    const logs = captureLog();
    const gone = scripted({ opened: [], history: new Error('reset') });
    const second = queryTracked(gone, [CLOSING], logs.log);
    await second.done;
    expect(second.known.has(CLOSING.tradeId)).toBe(false);
    expect(logs.find('tracked trade not looked up: nothing concluded')).toMatchObject([{ tradeId: CLOSING.tradeId, error: 'reset' }]);
  });
});
