/** GET /query_order: one order's definitive state, whatever the lists say. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, get, login, openOrder, poll, post, UTC_US, useSim } from './helpers.js';

const QUERY_KEYS = [
  'buysell', 'err_msg', 'expiry', 'holdtime', 'instrument', 'openclose', 'orderRef', 'price', 'right', 'status',
  'stopLossLevel', 'strike', 'symbol', 'takeProfitLevel', 'timeinforce', 'timestamp', 'tradeID', 'trailingstop', 'volume',
];

describe('query_order, filled at once', () => {
  const s = useSim({ beforeEach, afterEach }, { priceStepMs: 3_600_000 });

  it('a filled order: FILLED, its entry price and the order as placed', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { buysell: 'SELL', volume: 0.5, orderRef: 'q-1', takeProfitLevel: 29000, stopLossLevel: 31000, holdtime: 90 });
    const r = await get(s.sim, '/query_order', acct(token, { tradeID: id }));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(QUERY_KEYS);
    expect(r.body).toMatchObject({
      status: 'FILLED', err_msg: '', tradeID: id, orderRef: 'q-1', buysell: -1, price: s.sim.quote('BTCUSD').bid, volume: 0.5,
      takeProfitLevel: 29000, stopLossLevel: 31000, holdtime: 90, trailingstop: 0, timeinforce: 0, instrument: 'BTCUSD', openclose: 'open',
    });
    expect(r.body.timestamp).toMatch(UTC_US);
    expect(typeof r.body.tradeID).toBe('string');
  });

  it('a closed trade: still FILLED (the order did fill), with openclose "close"', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token);
    expect((await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }))).status).toBe(200);
    const r = await get(s.sim, '/query_order', acct(token, { tradeID: Number(id) }));
    expect(r.body).toMatchObject({ status: 'FILLED', tradeID: id, openclose: 'close', err_msg: '' });
  });

  it('an unknown ID, or another book\'s trade: HTTP 400 "trade not found"', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { accountid: 'other' });
    for (const tradeID of ['746800000001', id]) {
      const r = await get(s.sim, '/query_order', acct(token, { tradeID }));
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ status: 'FAIL', res: `trade not found: ${tradeID}` });
    }
    expect((await get(s.sim, '/query_order', acct(token))).body).toEqual({ status: 'FAIL', res: 'missing tradeID' });
  });
});

describe('query_order, with a fill delay', () => {
  const s = useSim({ beforeEach, afterEach }, { fillDelayS: 0.3, pendingMarketOrders: 'unlisted' });

  it('PENDING with price 0 until the fill, then FILLED at the entry price', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { orderRef: 'slow' });
    const before = await get(s.sim, '/query_order', acct(token, { tradeID: id }));
    expect(before.body).toMatchObject({ status: 'PENDING', price: 0, orderRef: 'slow', openclose: 'open' });
    const filled = await poll(async () => {
      const r = await get(s.sim, '/query_order', acct(token, { tradeID: id }));
      return r.body.status === 'FILLED' ? r.body : undefined;
    });
    expect(filled.price).toBe(s.sim.books()[0]!.entryPrice);
    expect(filled.price).toBeGreaterThan(0);
  });

  it('a cancelled order: PENDING with err_msg "order cancelled"', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token);
    expect((await post(s.sim, '/cancel_orders', acct(token, { tradeIDs: id }))).status).toBe(200);
    const r = await get(s.sim, '/query_order', acct(token, { tradeID: id }));
    expect(r.body).toMatchObject({ status: 'PENDING', err_msg: 'order cancelled', tradeID: id });
  });
});
