import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { acct, get, login, openOrder, order, poll, post, UTC_US, useSim } from './helpers.js';

const TRADE_KEYS = [
  'broker', 'buysell', 'channel', 'expiry', 'holdtime', 'instrument', 'market', 'openclose', 'order_Ref', 'price',
  'product_type', 'right', 'stopLossLevel', 'strike', 'symbol', 'takeProfitLevel', 'timestamp', 'trade_ID',
  'unrealizedPL', 'volume',
];

describe('orders with an immediate fill (fillDelayS 0)', () => {
  // A price step far longer than a test, so the market does not move and P/L is exactly the spread.
  const s = useSim({ beforeEach, afterEach }, { priceStepMs: 3_600_000 });
  let token: string;
  beforeEach(async () => {
    token = await login(s.sim);
  });

  it('open_order replies PENDING_TO_FILL with a 12-digit numeric tradeID, and the trade is open at once', async () => {
    const r = await post(s.sim, '/open_order', order(token, { orderRef: 'sig-1', takeProfitLevel: 31000, stopLossLevel: 29000, holdtime: 60 }));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['status', 'timestamp_utc', 'tradeID']);
    expect(r.body.status).toBe('PENDING_TO_FILL');
    expect(r.body.timestamp_utc).toMatch(UTC_US);
    expect(typeof r.body.tradeID).toBe('number');
    expect(String(r.body.tradeID)).toMatch(/^\d{12}$/);

    const q = await get(s.sim, '/opened_trades', acct(token));
    expect(q.status).toBe(200);
    expect(q.body.count).toBe(1);
    const t = q.body.res[0];
    expect(Object.keys(t).sort()).toEqual(TRADE_KEYS);
    const { bid, ask } = s.sim.quote('BTCUSD');
    expect(t).toEqual({
      broker: 'ALGOGENE', buysell: 1, channel: 'api', expiry: '', holdtime: 60, instrument: 'BTCUSD', market: 'CRYPTO',
      openclose: 'open', order_Ref: 'sig-1', price: ask, product_type: 'SPOT', right: '', stopLossLevel: 29000, strike: 0,
      symbol: 'BTCUSD', takeProfitLevel: 31000, timestamp: t.timestamp, trade_ID: String(r.body.tradeID),
      unrealizedPL: Math.round((bid - ask) * 100) / 100, volume: 1,
    });
    expect(t.timestamp).toMatch(UTC_US);
    expect((await get(s.sim, '/pending_trades', acct(token))).body).toEqual({ count: 0, res: [] });
  });

  it('a SELL shows buysell -1 and enters at the bid', async () => {
    await openOrder(s.sim, token, { buysell: 'SELL', volume: 10000, instrument: 'EURUSD' });
    const t = (await get(s.sim, '/opened_trades', acct(token))).body.res[0];
    const { bid, ask } = s.sim.quote('EURUSD');
    expect(t.buysell).toBe(-1);
    expect(t.price).toBe(bid);
    expect(t.volume).toBe(10000);
    expect(t.unrealizedPL).toBeCloseTo((ask - bid) * 10000 * -1, 2);
    expect(t.unrealizedPL).toBeLessThan(0);
  });

  it('filters opened_trades by tradeID; an unknown ID gives count 0', async () => {
    const a = await openOrder(s.sim, token);
    await openOrder(s.sim, token);
    const one = await get(s.sim, '/opened_trades', acct(token, { tradeID: a }));
    expect(one.body.count).toBe(1);
    expect(one.body.res[0].trade_ID).toBe(a);
    expect((await get(s.sim, '/opened_trades', acct(token, { tradeID: '999999999999' }))).body).toEqual({ count: 0, res: [] });
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(2);
  });

  it('closes an open trade; closing it again fails', async () => {
    const id = await openOrder(s.sim, token);
    const r = await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ res: `Submitted close order request for '${id}',`, status: 'SUCCESS' });
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(0);
    const [snap] = s.sim.books();
    expect(snap).toMatchObject({ tradeId: id, state: 'closed', user: 'demo', accountid: 'acc-1', runmode: 'livetest' });
    expect(snap!.closedAt).toBeTypeOf('number');
    expect(snap!.closePrice).toBe(s.sim.quote('BTCUSD').bid);

    const again = await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ status: 'FAIL', res: `trade not found: ${id}` });
  });

  it('closes several trades at once, and accepts the numeric tradeID open_order returned', async () => {
    const a = await openOrder(s.sim, token);
    const b = await openOrder(s.sim, token);
    const c = await openOrder(s.sim, token);
    const r = await post(s.sim, '/close_orders', acct(token, { tradeIDs: `${a}, ${b},` }));
    expect(r.body).toEqual({ res: `Submitted close order request for '${a}','${b}',`, status: 'SUCCESS' });
    const r2 = await post(s.sim, '/close_orders', acct(token, { tradeIDs: Number(c) }));
    expect(r2.body.status).toBe('SUCCESS');
    expect(s.sim.books().map((t) => t.state)).toEqual(['closed', 'closed', 'closed']);
  });

  it('a close with one unknown ID fails as a whole and closes nothing', async () => {
    const a = await openOrder(s.sim, token);
    const r = await post(s.sim, '/close_orders', acct(token, { tradeIDs: `${a},123456789012` }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'FAIL', res: 'trade not found: 123456789012' });
    expect(s.sim.books()[0]!.state).toBe('open');
  });

  it('cancel_orders refuses an open (already filled) trade', async () => {
    const id = await openOrder(s.sim, token);
    const r = await post(s.sim, '/cancel_orders', acct(token, { tradeIDs: id }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'FAIL', res: `trade not found: ${id}` });
  });

  it('keeps books apart by accountid and runmode', async () => {
    const a = await openOrder(s.sim, token, { accountid: 'A' });
    const b = await openOrder(s.sim, token, { accountid: 'B' });
    const c = await openOrder(s.sim, token, { accountid: 'A', runmode: 'livetrade' });
    const ids = async (extra: Record<string, unknown>) =>
      (await get(s.sim, '/opened_trades', acct(token, extra))).body.res.map((t: { trade_ID: string }) => t.trade_ID);
    expect(await ids({ accountid: 'A' })).toEqual([a]);
    expect(await ids({ accountid: 'B' })).toEqual([b]);
    expect(await ids({ accountid: 'A', runmode: 'livetrade' })).toEqual([c]);
    expect(await ids({ accountid: 'C' })).toEqual([]);
    // Another book's trade is "not found", even though the ID exists.
    const r = await post(s.sim, '/close_orders', acct(token, { accountid: 'B', tradeIDs: a }));
    expect(r.body).toEqual({ status: 'FAIL', res: `trade not found: ${a}` });
  });

  it('keeps books apart by user', async () => {
    const sim = await startSimulator({ users: [{ user: 'u1', apiKey: 'k1' }, { user: 'u2', apiKey: 'k2' }] });
    try {
      const t1 = await login(sim, { user: 'u1', api_key: 'k1' });
      const t2 = await login(sim, { user: 'u2', api_key: 'k2' });
      await post(sim, '/open_order', order(t1, { user: 'u1', api_key: 'k1' }));
      const seen = await get(sim, '/opened_trades', acct(t2, { user: 'u2', api_key: 'k2' }));
      expect(seen.body.count).toBe(0);
      expect(sim.books().map((t) => t.user)).toEqual(['u1']);
    } finally {
      await sim.close();
    }
  });

  it('gives unique 12-digit trade IDs', async () => {
    const ids = await Promise.all(Array.from({ length: 40 }, () => openOrder(s.sim, token)));
    expect(new Set(ids).size).toBe(40);
    for (const id of ids) expect(id).toMatch(/^\d{12}$/);
    expect(s.sim.books().map((t) => t.tradeId).sort()).toEqual([...ids].sort());
  });

  it('books() is a deep copy', async () => {
    await openOrder(s.sim, token);
    const snap = s.sim.books();
    snap[0]!.state = 'cancelled';
    expect(s.sim.books()[0]!.state).toBe('open');
  });
});

describe('orders with a fill delay', () => {
  const s = useSim({ beforeEach, afterEach }, { fillDelayS: 0.2 });

  it('an order is pending first, then open', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { orderRef: 'late' });
    const pending = await get(s.sim, '/pending_trades', acct(token));
    expect(pending.body.count).toBe(1);
    expect(pending.body.res[0]).toMatchObject({ trade_ID: id, order_Ref: 'late', openclose: 'open', unrealizedPL: 0 });
    expect((await get(s.sim, '/opened_trades', acct(token, { tradeID: id }))).body.count).toBe(0);
    expect(s.sim.books()[0]!.state).toBe('pending');

    const opened = await poll(async () => {
      const r = await get(s.sim, '/opened_trades', acct(token, { tradeID: id }));
      return r.body.count === 1 ? r.body.res[0] : undefined;
    });
    expect(opened.order_Ref).toBe('late');
    expect((await get(s.sim, '/pending_trades', acct(token))).body.count).toBe(0);
    const snap = s.sim.books()[0]!;
    expect(snap.state).toBe('open');
    expect(snap.openedAt! - snap.placedAt).toBeGreaterThanOrEqual(199);
  });
});

describe('pending orders', () => {
  const s = useSim({ beforeEach, afterEach }, { fillDelayS: 600 });

  it('a pending trade cannot be closed, only cancelled', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token);
    const close = await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    expect(close.status).toBe(400);
    expect(close.body).toEqual({ status: 'FAIL', res: `trade not found: ${id}` });

    const cancel = await post(s.sim, '/cancel_orders', acct(token, { tradeIDs: id }));
    expect(cancel.status).toBe(200);
    expect(cancel.body).toEqual({ res: `Submitted cancel order request for '${id}',`, status: 'SUCCESS' });
    expect((await get(s.sim, '/pending_trades', acct(token))).body.count).toBe(0);
    expect(s.sim.books()[0]).toMatchObject({ tradeId: id, state: 'cancelled', openedAt: null, closedAt: null });

    const again = await post(s.sim, '/cancel_orders', acct(token, { tradeIDs: id }));
    expect(again.body).toEqual({ status: 'FAIL', res: `trade not found: ${id}` });
  });
});
