/**
 * `close` acts without a query of its own: it assumes each tracked trade is open. When the server refuses
 * a close, the fresh look-up decides, and a close is sent again only when the look-up showed the trade open.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockNetwork, failBody, fakeAlgogene, resetNetwork, type FakeAlgogene } from '../helpers/fake-algogene.js';
import { makeBridge, type TestBridge } from '../helpers/make-bridge.js';

const TRADE = '746805590705';
const REF = 'sb.b1.placed';

describe('close of a trade whose order was placed a moment ago', () => {
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

  it('refused as "trade not found" while unfilled, then listed open once filled: closed, not reported failed', async () => {
    api.session();
    api.closeOrders([400, failBody(`trade not found: ${TRADE}`)]);
    // The fresh look-up: it has filled meanwhile.
    api.opened([{ tradeId: TRADE, side: 'BUY', orderRef: REF }]);
    api.closeOrders();
    // The confirmation: gone from the list, its close recorded.
    api.opened([]);
    api.pending([]);
    api.transactions([
      { tradeId: TRADE, orderRef: REF, openclose: 'open', price: 30_000 },
      { tradeId: TRADE, orderRef: REF, openclose: 'close', price: 30_010, reason: 'api' },
    ]);
    t = await makeBridge({ settleMs: 2_000 });
    await t.track({ tradeId: TRADE, side: 'BUY', orderRef: REF });

    const report = await t.bridge.closeAll();

    expect(report).toEqual([{ tradeId: TRADE, outcome: 'closed' }]);
    expect(api.posts('/close_orders')).toHaveLength(2);
    expect((await t.load()).trades).toEqual([]);
  });

  it('refused, and found nowhere by the look-up: no second close; reported failed and kept', async () => {
    api.session();
    api.closeOrders([400, failBody(`trade not found: ${TRADE}`)]);
    api.opened([]);
    api.pending([]);
    api.transactions([], 2);
    api.on('GET', '/query_order', [400, failBody(`trade not found: ${TRADE}`)]);
    t = await makeBridge({ settleMs: 2_000 });
    await t.track({ tradeId: TRADE, side: 'BUY', orderRef: REF });

    const report = await t.bridge.closeAll();

    expect(report).toMatchObject([{ tradeId: TRADE, outcome: 'failed' }]);
    expect(api.posts('/close_orders')).toHaveLength(1);
    expect((await t.load()).trades.map((x) => x.tradeId)).toEqual([TRADE]);
  });
});
