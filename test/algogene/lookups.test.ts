/** The definitive look-ups and the account and market calls, as the notes and ALGOGENE's MCP docstrings describe them. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlgogeneClient } from '../../src/algogene/create-client.js';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { MalformedReplyError } from '../../src/algogene/malformed-reply-error.js';
import { accountClient } from '../helpers/account-client.js';
import { ACCOUNT, API_KEY, BASE_URL, blockNetwork, fakeAlgogene, resetNetwork, TOKEN, USER, type FakeAlgogene } from '../helpers/fake-algogene.js';

const ID = '746805590705';

describe('look-ups', () => {
  let api: FakeAlgogene;
  let http: Http;
  let client: AlgogeneClient;

  beforeEach(() => {
    blockNetwork();
    api = fakeAlgogene();
    http = createHttp({ baseUrl: BASE_URL, timeoutMs: 2_000 });
    client = accountClient(http, 'livetrade');
  });
  afterEach(() => {
    http.close();
    resetNetwork();
  });

  describe('query_order', () => {
    const reply = (fields: Record<string, unknown>) => [200, { tradeID: ID, orderRef: 'sb.b1.1', buysell: 1, price: 30_000, volume: 1, err_msg: '', ...fields }] as const;
    it.each([
      ['PENDING', {}, 'pending'],
      ['FILLED', {}, 'filled'],
      ['PARTIAL_FILLED', {}, 'partial'],
      ['FILLED', { openclose: 'close' }, 'closed'],
      ['PENDING', { err_msg: 'order cancelled' }, 'closed'],
      ['', { err_msg: 'Trade not found' }, 'unknown'],
    ] as const)('status %j %j is %s', async (status, extra, state) => {
      api.session();
      api.on('GET', '/query_order', reply({ status, ...extra }));
      expect(await client.queryOrder(ID)).toMatchObject({ tradeId: ID, state });
      expect(api.calls[1]?.params).toMatchObject({ tradeID: ID, token: TOKEN, accountid: ACCOUNT, runmode: 'livetrade' });
    });

    it('an answer about another trade ID says nothing about this one', async () => {
      api.session();
      api.on('GET', '/query_order', reply({ status: 'FILLED', tradeID: '746805590999' }));
      expect(await client.queryOrder(ID)).toMatchObject({ state: 'unknown' });
    });
  });

  it('strategy_trade: runmode, runtime_id and orderRef, no token; rows of another orderRef are dropped', async () => {
    api.on('GET', '/strategy_trade', [
      200,
      {
        count: 3,
        res: [
          { trade_ID: ID, order_ref: 'sb.b1.1', openclose: 'open', price: 30_000, volume: 1, timestamp: '2030-01-01 10:00:00.000000' },
          { trade_ID: ID, order_ref: 'sb.b1.1', openclose: 'close', price: 30_100.5, volume: 1, reason: 'takeProfit', timestamp: '2030-01-01 11:00:00.000000' },
          { trade_ID: '746805590999', order_ref: 'sb.b1.2', openclose: 'open', price: '30050.25', volume: 1 },
        ],
      },
    ]);
    const rows = await client.strategyTrades({ orderRef: 'sb.b1.1' });
    expect(rows).toEqual([
      expect.objectContaining({ tradeId: ID, openclose: 'open', orderRef: 'sb.b1.1' }),
      expect.objectContaining({ tradeId: ID, openclose: 'close', price: 30_100.5, reason: 'takeProfit' }),
    ]);
    expect(api.calls[0]?.params).toMatchObject({ user: USER, api_key: API_KEY, runmode: 'livetrade', runtime_id: ACCOUNT, orderRef: 'sb.b1.1' });
    expect(api.calls[0]?.params.token).toBeUndefined();
  });

  it('close_orders by orderRef sends the orderRef and no tradeIDs', async () => {
    api.session();
    api.on('POST', '/close_orders', [200, { status: 'SUCCESS', res: `Submitted close order request for '${ID}',` }]);
    await client.closeByOrderRef('sb.b1.1');
    expect(api.posts('/close_orders')[0]?.params).toMatchObject({ orderRef: 'sb.b1.1' });
    expect(api.posts('/close_orders')[0]?.params.tradeIDs).toBeUndefined();
  });

  it('accounts: the runmode and token; isTrading read as a flag; an account ID as a number or text', async () => {
    api.session();
    api.on('GET', '/accounts', [200, { count: 2, res: [{ accountid: 1000, runmode: 'livetrade', NAV: 1e6, isTrading: true }, { accountid: 'acct-42', runmode: 'livetrade', isTrading: 'False' }] }]);
    expect(await client.accounts()).toEqual([
      { accountId: '1000', runmode: 'livetrade', isTrading: true },
      { accountId: 'acct-42', runmode: 'livetrade', isTrading: false },
    ]);
    expect(api.calls[1]?.params).toMatchObject({ runmode: 'livetrade', token: TOKEN });
  });

  it('list_instrument and meta_instrument', async () => {
    api.on('GET', '/list_instrument', [200, { count: 2, res: ['BTCUSD', 'ETHUSD'] }]);
    api.on('GET', '/meta_instrument', [200, { res: { contractSize: 1, market: 'CRYPTO', producttype: 'SPOT', minVolume: 0.01, volumeStep: 0.01 } }]);
    expect(await client.listInstruments()).toEqual(['BTCUSD', 'ETHUSD']);
    expect(await client.metaInstrument('BTCUSD')).toMatchObject({ instrument: 'BTCUSD', contractSize: 1, minVolume: 0.01, volumeStep: 0.01 });
    expect(api.calls[1]?.params).toMatchObject({ instrument: 'BTCUSD' });
  });

  describe('history_price', () => {
    it('always sends timestamp (UTC, to the second) and the bars closed before it', async () => {
      api.on('GET', '/history_price', [200, { count: 1, res: [{ t: '2030-01-01 10:00:00', o: 1, h: 2, l: 0.5, c: 1.5, v: 10, b: 1.49, a: 1.51, m: 1.5 }] }]);
      const bars = await client.history({ instrument: 'BTCUSD', count: 1, interval: 'H', before: new Date(Date.UTC(2030, 0, 1, 10, 30, 15, 999)) });
      expect(bars).toMatchObject([{ t: '2030-01-01 10:00:00', c: 1.5 }]);
      expect(api.calls[0]?.params).toMatchObject({ instrument: 'BTCUSD', count: '1', interval: 'H', timestamp: '2030-01-01 10:30:15' });
    });

    it.each([0, 1001, 2.5])('count %s is refused before any call (1 to 1000)', async (count) => {
      await expect(client.history({ instrument: 'BTCUSD', count })).rejects.toThrow(/1 to 1000/);
      expect(api.calls).toHaveLength(0);
    });
  });

  it('realtime_price: res keyed by symbol (MCP docstring) or as a list', async () => {
    api.on('GET', '/realtime_price', [200, { count: 1, res: { BTCUSD: { timestamp: '2030-01-01 10:00:00.000000', bidPrice: 30_000, askPrice: 30_001 } } }]);
    api.on('GET', '/realtime_price', [200, { count: 1, res: [{ symbol: 'ETHUSD', bid: 2_000, ask: 2_001 }] }]);
    expect(await client.realtime(['BTCUSD'])).toEqual([{ symbol: 'BTCUSD', bid: 30_000, ask: 30_001, timestamp: '2030-01-01 10:00:00.000000' }]);
    expect(await client.realtime(['ETHUSD'])).toMatchObject([{ symbol: 'ETHUSD', bid: 2_000, ask: 2_001 }]);
    expect(api.calls[0]?.params).toMatchObject({ symbols: 'BTCUSD' });
  });

  it('a strategy_trade row with an exponent trade_ID refuses the reply', async () => {
    api.on('GET', '/strategy_trade', [200, '{"count": 1, "res": [{"trade_ID": 7.5e11, "openclose": "close", "order_ref": "sb.b1.1"}]}'], 3);
    await expect(client.strategyTrades({ orderRef: 'sb.b1.1' })).rejects.toBeInstanceOf(MalformedReplyError);
  });
});
