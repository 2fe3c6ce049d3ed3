import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/algogene/api-error.js';
import { TransportError } from '../../src/algogene/transport-error.js';
import type { CapturedLog } from '../helpers/capture-log.js';
import { answerAfter, makeBridge, fixedStrategy, type TestBridge } from '../helpers/make-bridge.js';
import type { Strategy } from '../../src/strategy/types.js';
import { blockNetwork, failBody, fakeAlgogene, openOrderBody, resetNetwork, type FakeAlgogene } from '../helpers/fake-algogene.js';

const REF = 'sb.b1.earlier';

const TRACKED = '746805590705';
const NEW_ID = '746805590999';

describe('a tick with a trade tracked (policy reopen)', () => {
  let api: FakeAlgogene;
  let t: TestBridge | undefined;

  beforeEach(() => {
    blockNetwork();
    api = fakeAlgogene();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    resetNetwork();
  });

  /**
   * A bridge tracking TRACKED (a SELL). Its strategy answers once the tick's query has got as far
   * as `endpoint` (the realistic case: a strategy takes some time), so the close acts on it.
   */
  async function bridgeTracking(answer: 'BUY' | 'SELL' | null, endpoint = '/opened_trades', strategy?: Strategy | ((logs: CapturedLog) => Strategy)): Promise<TestBridge> {
    t = await makeBridge({ strategy: strategy ?? answerAfter(endpoint, answer) });
    await t.track({ tradeId: TRACKED, side: 'SELL' });
    return t;
  }

  it('BUY queries the tracked trade, submits its close, then opens the new order; the closed one stays "closing" until confirmed', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL', price: 30_086.67, unrealizedPL: -36.56 }]);
    api.closeOrders();
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const b = await bridgeTracking('BUY');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }], opened: NEW_ID });
    expect(api.order()).toEqual(['GET /session', 'GET /opened_trades', 'POST /close_orders', 'POST /open_order']);
    // The account's list, asked once for every tracked trade (the API documents no tradeID filter).
    expect(api.calls[1]?.params.tradeID).toBeUndefined();
    expect(api.posts('/close_orders')[0]?.params.tradeIDs).toBe(TRACKED);
    expect(api.posts('/open_order')[0]?.params.buysell).toBe('BUY');
    expect((await b.load()).trades).toMatchObject([
      { tradeId: TRACKED, status: 'closing' },
      { tradeId: NEW_ID, side: 'BUY' },
    ]);
    expect(b.logs.find('tracked trade')).toMatchObject([{ tradeId: TRACKED, price: 30_086.67, unrealizedPL: -36.56 }]);
    expect(b.logs.find('tick')).toMatchObject([{ signal: 'BUY', closed: [TRACKED], opened: NEW_ID }]);
  });

  it('the strategy sees the tracked trade', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders();
    const strategy = fixedStrategy(null);
    await bridgeTracking(null, '', strategy);

    await t?.tick();

    expect(strategy.calls[0]?.tracked).toMatchObject({ tradeId: TRACKED, side: 'SELL', volume: 1, instrument: 'BTCUSD' });
  });

  it('nothing submits the close; the next tick sees it gone from the lists and closed in strategy_trade: forgotten with its price, not closed again', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders();
    const b = await bridgeTracking(null);

    const result = await b.tick();
    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }] });
    expect(result.opened).toBeUndefined();
    expect((await b.load()).trades).toMatchObject([{ tradeId: TRACKED, status: 'closing' }]);

    api.opened([]);
    api.pending([]);
    api.transactions([
      { tradeId: TRACKED, orderRef: REF, openclose: 'open', price: 30_086.67 },
      { tradeId: TRACKED, orderRef: REF, openclose: 'close', price: 30_120.5, reason: 'api' },
    ]);
    const second = await b.tick();
    expect(second).toMatchObject({ ok: true, closed: [] });
    const doc = await b.load();
    expect(doc.trades).toEqual([]);
    expect(doc.closed).toMatchObject([{ tradeId: TRACKED, by: 'bridge', price: 30_120.5 }]);
    expect(b.logs.find('close confirmed: trade forgotten')).toMatchObject([{ tradeId: TRACKED, price: 30_120.5 }]);
    expect(api.posts('/close_orders')).toHaveLength(1);

    const calls = api.calls.length;
    expect((await b.tick()).ok).toBe(true);
    expect(api.calls).toHaveLength(calls);
  });

  it('a close refused by the server (400 FAIL) keeps the trade open, opens nothing, fails the tick; the next tick sends it again', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }], 2);
    api.closeOrders([400, failBody('market closed')]);
    const b = await bridgeTracking('BUY');

    const result = await b.tick();

    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(ApiError);
    expect(result.error?.message).toMatch(/market closed/);
    expect(result.opened).toBeUndefined();
    expect(api.posts('/open_order')).toEqual([]);
    expect(api.posts('/close_orders')).toHaveLength(1);
    expect((await b.load()).trades).toMatchObject([{ tradeId: TRACKED }]);
    expect((await b.load()).trades[0]?.status).not.toBe('closing');
    expect(b.logs.find('tick failed')).toMatchObject([{ errorType: 'ApiError' }]);

    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders();
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const second = await b.tick();
    expect(second).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }], opened: NEW_ID });
    expect(api.posts('/close_orders')).toHaveLength(2);
  });

  it('a close whose reply is lost may have been submitted: "closing", not sent again while the grace period runs, sent again (and said) after it', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.fail('POST', '/close_orders', 'ECONNRESET');
    t = await makeBridge({ strategy: fixedStrategy(null), settleMs: 300 });
    await t.track({ tradeId: TRACKED, side: 'SELL' });

    const first = await t.tick();
    expect(first).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }] });
    expect((await t.load()).trades).toMatchObject([{ tradeId: TRACKED, status: 'closing' }]);

    // The server is slow to carry it out: still open at the next tick, within the grace period.
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    expect((await t.tick()).closed).toEqual([]);
    expect(api.posts('/close_orders')).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 350));
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders();
    expect((await t.tick()).closed).toEqual([{ tradeId: TRACKED, outcome: 'closing' }]);
    expect(api.posts('/close_orders')).toHaveLength(2);
    expect(t.logs.find('close submitted but the trade is still open after the grace period: sending it again')).toHaveLength(1);
  });

  it('an empty /opened_trades with no close recorded never makes the trade gone: it stays tracked and is closed as usual', async () => {
    api.session();
    api.opened([]);
    api.pending([]);
    api.transactions([{ tradeId: TRACKED, orderRef: REF, openclose: 'open' }]);
    api.queryOrder('FILLED');
    api.opened([]);
    api.closeOrders();
    const b = await bridgeTracking(null, '/query_order');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }] });
    expect(api.posts('/close_orders')).toHaveLength(1);
    expect((await b.load()).trades).toMatchObject([{ tradeId: TRACKED, status: 'closing' }]);
  });

  it('a trade the server closed by itself (take-profit) is recorded with its price and reason and never closed', async () => {
    api.session();
    api.opened([]);
    api.pending([]);
    api.transactions([
      { tradeId: TRACKED, orderRef: REF, openclose: 'open' },
      { tradeId: TRACKED, orderRef: REF, openclose: 'close', price: 31_000.25, reason: 'takeProfit' },
    ]);
    const b = await bridgeTracking(null, '/strategy_trade');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [] });
    expect(api.posts()).toEqual([]);
    const doc = await b.load();
    expect(doc.trades).toEqual([]);
    expect(doc.closed).toMatchObject([{ tradeId: TRACKED, by: 'server', price: 31_000.25, reason: 'takeProfit' }]);
    expect(b.logs.find('the server closed this trade by itself (take-profit, stop-loss, holdtime or by hand): recorded, not closed again')).toMatchObject([
      { level: 40, tradeId: TRACKED, price: 31_000.25, reason: 'takeProfit' },
    ]);

    const calls = api.calls.length;
    await b.tick();
    await b.tick();
    expect(api.calls).toHaveLength(calls);
  });

  it('a tracked trade still pending (not filled) is cancelled with cancel_orders, not closed', async () => {
    api.session();
    api.opened([]);
    api.pending([{ tradeId: TRACKED, side: 'SELL' }]);
    api.cancelOrders();
    const b = await bridgeTracking(null, '/pending_trades');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'cancelled' }] });
    expect(api.posts().map((c) => c.endpoint)).toEqual(['/cancel_orders']);
    expect(api.posts('/cancel_orders')[0]?.params.tradeIDs).toBe(TRACKED);
    expect((await b.load()).trades).toEqual([]);
  });

  it('a pending trade that fills before the cancel is closed instead, once', async () => {
    api.session();
    api.opened([]);
    api.pending([{ tradeId: TRACKED, side: 'SELL' }]);
    api.cancelOrders([400, failBody('order already filled')]);
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders();
    const b = await bridgeTracking(null, '/pending_trades');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }] });
    expect(api.posts().map((c) => c.endpoint)).toEqual(['/cancel_orders', '/close_orders']);
    expect((await b.load()).trades).toMatchObject([{ tradeId: TRACKED, status: 'closing' }]);
  });

  it('a close refused because the trade has just closed by itself: strategy_trade shows the close; recorded, and the new order goes out', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders([400, failBody('trade not found')]);
    api.opened([]);
    api.pending([]);
    api.transactions([{ tradeId: TRACKED, orderRef: REF, openclose: 'close', price: 29_000, reason: 'stopLoss' }]);
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const b = await bridgeTracking('SELL');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'gone' }], opened: NEW_ID });
    const doc = await b.load();
    expect(doc.trades.map((x) => x.tradeId)).toEqual([NEW_ID]);
    expect(doc.closed).toMatchObject([{ tradeId: TRACKED, by: 'server', price: 29_000, reason: 'stopLoss' }]);
  });

  describe('a strategy that answers before the query of the tracked trade does: the close waits for it', () => {
    it('a trade already closed by the server: no close is sent, the trade is recorded and forgotten', async () => {
      api.session();
      api.opened([]);
      api.pending([]);
      api.transactions([{ tradeId: TRACKED, orderRef: REF, openclose: 'close', price: 29_500 }]);
      const b = await bridgeTracking(null, '', fixedStrategy(null));

      const result = await b.tick();

      expect(result).toMatchObject({ ok: true, closed: [] });
      expect(api.posts()).toEqual([]);
      expect((await b.load()).trades).toEqual([]);
      const calls = api.calls.length;
      await b.tick();
      expect(api.calls).toHaveLength(calls);
    });

    it('a trade still pending: it is cancelled, never "closed"', async () => {
      api.session();
      api.opened([], 1);
      api.pending([{ tradeId: TRACKED, side: 'SELL' }], 1);
      api.cancelOrders();
      const b = await bridgeTracking(null, '', fixedStrategy(null));

      const result = await b.tick();

      expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'cancelled' }] });
      expect(api.posts().map((c) => c.endpoint)).toEqual(['/cancel_orders']);
      expect((await b.load()).trades).toEqual([]);
    });
  });
});
