/** As documented: an unfilled market order is in neither /opened_trades nor /pending_trades (opt-in). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, get, login, openOrder, poll, useSim } from './helpers.js';

describe('pendingMarketOrders: unlisted', () => {
  const s = useSim({ beforeEach, afterEach }, { fillDelayS: 0.4, pendingMarketOrders: 'unlisted' });

  it('listed nowhere while unfilled, query_order says PENDING; then in opened_trades only', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { orderRef: 'ghost' });
    expect((await get(s.sim, '/opened_trades', acct(token))).body).toEqual({ count: 0, res: [] });
    expect((await get(s.sim, '/pending_trades', acct(token))).body).toEqual({ count: 0, res: [] });
    expect((await get(s.sim, '/pending_trades', acct(token, { tradeID: id }))).body.count).toBe(0);
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body.status).toBe('PENDING');
    expect(s.sim.books()[0]!.state).toBe('pending');

    const open = await poll(async () => {
      const r = await get(s.sim, '/opened_trades', acct(token));
      return r.body.count === 1 ? r.body.res[0] : undefined;
    });
    expect(open).toMatchObject({ trade_ID: id, order_Ref: 'ghost' });
    expect((await get(s.sim, '/pending_trades', acct(token))).body.count).toBe(0);
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body.status).toBe('FILLED');
  });
});

describe('pendingMarketOrders: listed (the default)', () => {
  const s = useSim({ beforeEach, afterEach }, { fillDelayS: 600 });

  it('an unfilled market order shows in /pending_trades', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token);
    expect((await get(s.sim, '/pending_trades', acct(token))).body.res.map((t: { trade_ID: string }) => t.trade_ID)).toEqual([id]);
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body.status).toBe('PENDING');
  });
});
