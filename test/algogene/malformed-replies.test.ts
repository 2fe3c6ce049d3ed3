import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MalformedReplyError } from '../../src/algogene/malformed-reply-error.js';
import { makeBridge, type TestBridge } from '../helpers/make-bridge.js';
import { blockNetwork, fakeAlgogene, resetNetwork, tradeRecord, type FakeAlgogene } from '../helpers/fake-algogene.js';

const ORDER = { instrument: 'BTCUSD', side: 'SELL', volume: 1, orderRef: 'sb.b1.test' } as const;

describe('replies that do not have the documented shape', () => {
  let api: FakeAlgogene;
  let t: TestBridge;

  beforeEach(async () => {
    blockNetwork();
    api = fakeAlgogene();
    api.session();
    t = await makeBridge();
  });
  afterEach(async () => {
    await t.close();
    resetNetwork();
  });

  describe('open_order', () => {
    it.each([
      ['no tradeID', '{"status": "PENDING_TO_FILL", "timestamp_utc": "2023-08-31 14:00:51.330180"}'],
      ['tradeID "abc"', '{"status": "PENDING_TO_FILL", "tradeID": "abc"}'],
      ['tradeID null', '{"status": "PENDING_TO_FILL", "tradeID": null}'],
      ['tradeID ""', '{"status": "PENDING_TO_FILL", "tradeID": ""}'],
      ['a negative tradeID', '{"status": "PENDING_TO_FILL", "tradeID": -746805590705}'],
      ['a fractional tradeID', '{"status": "PENDING_TO_FILL", "tradeID": 7468055907.5}'],
      ['a tradeID in exponent notation beyond 2^53', '{"status": "PENDING_TO_FILL", "tradeID": 1.2345678901234567e20}'],
      ['no status', '{"tradeID": 746805590705}'],
      ['an array', '[{"status": "PENDING_TO_FILL", "tradeID": 746805590705}]'],
      ['an empty object', '{}'],
    ])('%s is a MalformedReplyError and returns no trade ID', async (_name, body) => {
      api.on('POST', '/open_order', [200, body]);
      let returned: unknown = 'nothing returned';
      const error = await t.client.openOrder(ORDER).then(
        (ack) => {
          returned = ack;
        },
        (e: unknown) => e,
      );
      expect(returned).toBe('nothing returned');
      expect(error).toBeInstanceOf(MalformedReplyError);
      expect(error).toMatchObject({ endpoint: '/open_order', outcome: 'unknown' });
      expect(api.posts('/open_order')).toHaveLength(1);
    });
  });

  describe('opened_trades', () => {
    it.each([
      ['res is not an array', { count: 1, res: { trade_ID: '746805590705' } }],
      ['res is missing', { count: 0 }],
      ['a record without trade_ID', { count: 1, res: [{ ...tradeRecord({ tradeId: '1' }), trade_ID: undefined }] }],
      ['a record with trade_ID "abc"', { count: 1, res: [tradeRecord({ tradeId: 'abc' })] }],
      ['a record with buysell 0', { count: 1, res: [{ ...tradeRecord({ tradeId: '746805590705' }), buysell: 0 }] }],
      ['a price that is text', { count: 1, res: [{ ...tradeRecord({ tradeId: '746805590705' }), price: 'high' }] }],
    ])('%s is a MalformedReplyError', async (_name, body) => {
      api.on('GET', '/opened_trades', [200, body]);
      const error = await t.client.openedTrades().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedReplyError);
      expect((error as Error).message).toMatch(/^\/opened_trades: malformed reply: /);
      // A malformed reply is not a transport failure: it is not asked again.
      expect(api.calls.filter((c) => c.endpoint === '/opened_trades')).toHaveLength(1);
    });
  });

  it('a close_orders reply whose status is not SUCCESS is not taken for a success', async () => {
    api.on('POST', '/close_orders', [200, { status: 'QUEUED' }]);
    await expect(t.client.closeOrders(['746805590705'])).rejects.toBeInstanceOf(MalformedReplyError);
  });
});

describe('trade IDs keep every digit', () => {
  let api: FakeAlgogene;
  let t: TestBridge;

  beforeEach(async () => {
    blockNetwork();
    api = fakeAlgogene();
    api.session();
    t = await makeBridge();
  });
  afterEach(async () => {
    await t.close();
    resetNetwork();
  });

  it.each(['746805590705', '9007199254740993', '123456789012345678901234567890'])('open_order tradeID %s as a JSON number', async (id) => {
    api.on('POST', '/open_order', [200, `{"status": "PENDING_TO_FILL", "timestamp_utc": "2023-08-31 14:00:51.330180", "tradeID": ${id}}`]);
    const ack = await t.client.openOrder(ORDER);
    expect(ack.tradeId).toBe(id);
  });

  it('an opened trade whose trade_ID is a JSON number beyond 2^53', async () => {
    const record = JSON.stringify({ ...tradeRecord({ tradeId: 'X' }), trade_ID: 'X' }).replace('"X"', '18014398509481985').replace('"X"', '"BTCUSD"');
    api.on('GET', '/opened_trades', [200, `{"count": 1, "res": [${record}]}`]);
    const [trade] = await t.client.openedTrades();
    expect(trade?.tradeId).toBe('18014398509481985');
  });

  it('a trade_ID sent as a string stays that string', async () => {
    api.on('GET', '/opened_trades', [200, { count: 1, res: [tradeRecord({ tradeId: '000746805590705' })] }]);
    const [trade] = await t.client.openedTrades();
    expect(trade?.tradeId).toBe('000746805590705');
  });
});
