import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/algogene/auth-error.js';
import { makeBridge, type TestBridge } from '../helpers/make-bridge.js';
import { blockNetwork, failBody, fakeAlgogene, openOrderBody, resetNetwork, TOKEN, TOKEN_2, tradesBody, type FakeAlgogene } from '../helpers/fake-algogene.js';

const ORDER = { instrument: 'BTCUSD', side: 'BUY', volume: 1, orderRef: 'sb.b1.test' } as const;

describe('a refused token: renew once, retry the call once', () => {
  let api: FakeAlgogene;
  let t: TestBridge;

  beforeEach(async () => {
    blockNetwork();
    api = fakeAlgogene();
    t = await makeBridge();
  });
  afterEach(async () => {
    await t.close();
    resetNetwork();
  });

  it('a 401 on a query renews the token and the query succeeds with the new one', async () => {
    api.session(TOKEN);
    api.on('GET', '/opened_trades', [401, failBody('invalid token')]);
    api.session(TOKEN_2);
    api.on('GET', '/opened_trades', [200, tradesBody([{ tradeId: '746805590705' }])]);

    const trades = await t.client.openedTrades();

    expect(trades.map((x) => x.tradeId)).toEqual(['746805590705']);
    expect(api.order()).toEqual(['GET /session', 'GET /opened_trades', 'GET /session', 'GET /opened_trades']);
    expect(api.calls[1]?.params.token).toBe(TOKEN);
    expect(api.calls[3]?.params.token).toBe(TOKEN_2);
    expect(t.logs.find('token refused: renewing once and retrying once')).toHaveLength(1);
  });

  it('an HTTP 200 {"status":"FAIL","res":"invalid token"} on open_order renews and sends the order once more', async () => {
    api.session(TOKEN);
    api.openOrder([200, failBody('invalid token')]);
    api.session(TOKEN_2);
    api.openOrder([200, openOrderBody(746805590705)]);

    const ack = await t.client.openOrder(ORDER);

    expect(ack.tradeId).toBe('746805590705');
    expect(api.posts('/open_order').map((c) => c.params.token)).toEqual([TOKEN, TOKEN_2]);
    // The same order both times: same orderRef.
    expect(api.posts('/open_order').map((c) => c.params.orderRef)).toEqual(['sb.b1.test', 'sb.b1.test']);
  });

  it('a second 401 fails the call with an AuthError: no third attempt, no third session', async () => {
    api.session(TOKEN);
    api.on('POST', '/close_orders', [401, failBody('invalid token')]);
    api.session(TOKEN_2);
    api.on('POST', '/close_orders', [401, failBody('invalid token')]);

    const error = await t.client.closeOrders(['746805590705']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).outcome).toBe('rejected');
    expect(api.order()).toEqual(['GET /session', 'POST /close_orders', 'GET /session', 'POST /close_orders']);
    expect(api.done()).toBe(true);
  });

  it('calls refused together with the same token share one renewal', async () => {
    api.session(TOKEN);
    api.on('GET', '/opened_trades', [401, failBody('invalid token')], 2);
    api.session(TOKEN_2);
    api.on('GET', '/opened_trades', [200, tradesBody([])], 2);

    await Promise.all([t.client.openedTrades(), t.client.openedTrades()]);

    expect(api.calls.filter((c) => c.endpoint === '/session')).toHaveLength(2);
  });
});
