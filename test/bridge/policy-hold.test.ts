import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerAfter, makeBridge, type TestBridge } from '../helpers/make-bridge.js';
import { blockNetwork, fakeAlgogene, openOrderBody, resetNetwork, type FakeAlgogene } from '../helpers/fake-algogene.js';

const TRACKED = '746805590705';
const NEW_ID = '746805590999';

describe('policy hold', () => {
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

  async function holdingBuy(answer: 'BUY' | 'SELL' | null): Promise<TestBridge> {
    t = await makeBridge({ strategy: answerAfter('/opened_trades', answer), env: { BRIDGE_POLICY: 'hold' } });
    await t.track({ tradeId: TRACKED, side: 'BUY' });
    return t;
  }

  it('the same side keeps the open trade: nothing is closed or opened', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'BUY' }]);
    const b = await holdingBuy('BUY');
    const before = await b.load();

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [] });
    expect(result.opened).toBeUndefined();
    expect(api.posts()).toEqual([]);
    expect(await b.load()).toEqual(before);
  });

  it('nothing closes the open trade and opens nothing', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'BUY' }]);
    api.closeOrders();
    const b = await holdingBuy(null);

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }] });
    expect(api.posts().map((c) => c.endpoint)).toEqual(['/close_orders']);
    expect((await b.load()).trades).toMatchObject([{ tradeId: TRACKED, status: 'closing' }]);
  });

  it('a flip closes the open trade, then opens the other side', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'BUY' }]);
    api.closeOrders();
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const b = await holdingBuy('SELL');

    const result = await b.tick();

    expect(result).toMatchObject({ ok: true, closed: [{ tradeId: TRACKED, outcome: 'closing' }], opened: NEW_ID });
    expect(api.order()).toEqual(['GET /session', 'GET /opened_trades', 'POST /close_orders', 'POST /open_order']);
    expect(api.posts('/open_order')[0]?.params.buysell).toBe('SELL');
    expect((await b.load()).trades).toMatchObject([
      { tradeId: TRACKED, status: 'closing' },
      { tradeId: NEW_ID, side: 'SELL' },
    ]);
  });

  it('with nothing tracked, a signal opens as under reopen', async () => {
    api.session();
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    t = await makeBridge({ strategy: { name: 'buy', decide: () => 'BUY' }, env: { BRIDGE_POLICY: 'hold' } });

    const result = await t.tick();

    expect(result).toMatchObject({ ok: true, opened: NEW_ID, closed: [] });
  });
});
