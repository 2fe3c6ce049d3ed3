import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/algogene/api-error.js';
import { TransportError } from '../../src/algogene/transport-error.js';
import type { CapturedLog } from '../helpers/capture-log.js';
import { answerAfter, makeBridge, fixedStrategy, type TestBridge } from '../helpers/make-bridge.js';
import type { Strategy } from '../../src/strategy/types.js';
import { blockNetwork, failBody, fakeAlgogene, openOrderBody, resetNetwork, type FakeAlgogene } from '../helpers/fake-algogene.js';

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

  it('BUY queries the tracked trade, closes it, then opens the new order, and tracks only the new one', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL', price: 30_086.67, unrealizedPL: -36.56 }]);
    api.closeOrders();
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const b = await bridgeTracking('BUY');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closed' }], opened: NEW_ID });
    expect(api.order()).toEqual(['GET /session', 'GET /opened_trades', 'POST /close_orders', 'POST /open_order']);
    expect(api.calls[1]?.params.tradeID).toBe(TRACKED);
    expect(api.posts('/close_orders')[0]?.params.tradeIDs).toBe(TRACKED);
    expect(api.posts('/open_order')[0]?.params.buysell).toBe('BUY');
    expect((await b.load()).trades).toMatchObject([{ tradeId: NEW_ID, side: 'BUY' }]);
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

  it('nothing closes the tracked trade and forgets it; the next tick sends nothing', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders();
    const b = await bridgeTracking(null);

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closed' }] });
    expect(result.opened).toBeUndefined();
    expect(api.order()).toEqual(['GET /session', 'GET /opened_trades', 'POST /close_orders']);
    expect((await b.load()).trades).toEqual([]);

    const calls = api.calls.length;
    expect((await b.tick()).ok).toBe(true);
    expect(api.calls).toHaveLength(calls);
  });

  it('a close refused by the server (400 FAIL) keeps the tradeID, opens nothing, and fails the tick', async () => {
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
    expect((await b.load()).trades.map((x) => x.tradeId)).toEqual([TRACKED]);
    expect(b.logs.find('tick failed')).toMatchObject([{ errorType: 'ApiError' }]);
  });

  it('a close whose reply is lost while the trade is still open keeps the tradeID and is not sent again', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }], 2);
    api.fail('POST', '/close_orders', 'ECONNRESET');
    const b = await bridgeTracking(null);

    const result = await b.tick();

    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(TransportError);
    expect(api.posts('/close_orders')).toHaveLength(1);
    expect((await b.load()).trades.map((x) => x.tradeId)).toEqual([TRACKED]);
  });

  it('a close whose reply is lost, after which the trade is gone, counts as closed and the new order goes out', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.fail('POST', '/close_orders', 'ECONNRESET');
    api.opened([], 2); // gone is confirmed by asking /opened_trades again (the order may have filled meanwhile)
    api.pending([]);
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const b = await bridgeTracking('BUY');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closed' }], opened: NEW_ID });
    expect(api.posts('/close_orders')).toHaveLength(1);
    expect((await b.load()).trades.map((x) => x.tradeId)).toEqual([NEW_ID]);
  });

  it('a trade the server no longer has (opened and pending both empty) is forgotten with a warning, not closed', async () => {
    api.session();
    api.opened([], 2); // gone is confirmed by asking /opened_trades again (the order may have filled meanwhile)
    api.pending([]);
    const b = await bridgeTracking(null, '/pending_trades');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'gone' }] });
    expect(api.posts()).toEqual([]);
    expect((await b.load()).trades).toEqual([]);
    expect(b.logs.find('trade no longer on the server (closed elsewhere?): forgotten')).toMatchObject([{ level: 40, tradeId: TRACKED }]);

    // And it is not closed again and again on the following ticks.
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

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closed' }] });
    expect(api.posts().map((c) => c.endpoint)).toEqual(['/cancel_orders', '/close_orders']);
    expect((await b.load()).trades).toEqual([]);
  });

  it('a close refused because the trade has just closed by itself forgets it and opens the new order', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
    api.closeOrders([400, failBody('trade not found')]);
    api.opened([], 2); // gone is confirmed by asking /opened_trades again (the order may have filled meanwhile)
    api.pending([]);
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const b = await bridgeTracking('SELL');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'gone' }], opened: NEW_ID });
    expect((await b.load()).trades.map((x) => x.tradeId)).toEqual([NEW_ID]);
  });

  describe('a strategy that answers before the query of the tracked trade does: the close waits for it', () => {
    it('a trade already gone: no close is sent, the trade is forgotten', async () => {
      api.session();
      api.opened([], 2); // gone is confirmed by asking /opened_trades again (the order may have filled meanwhile)
      api.pending([], 1);
      const b = await bridgeTracking(null, '', fixedStrategy(null));

      const result = await b.tick();

      expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'gone' }] });
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
