import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBridge, fixedStrategy, type TestBridge } from '../helpers/make-bridge.js';
import { ACCOUNT, API_KEY, blockNetwork, fakeAlgogene, openOrderBody, resetNetwork, TOKEN, USER, type FakeAlgogene } from '../helpers/fake-algogene.js';

describe('a tick with no trade tracked', () => {
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

  it('BUY opens a market order with the account, key and token, and stores the returned tradeID', async () => {
    api.session();
    api.openOrder([200, openOrderBody(746805590705)]);
    t = await makeBridge({ strategy: fixedStrategy('BUY') });

    const result = await t.tick();

    expect(result).toMatchObject({ ok: true, opened: '746805590705', closed: [] });
    expect(api.order()).toEqual(['GET /session', 'POST /open_order']);
    const sent = api.posts('/open_order')[0]?.params;
    expect(sent).toMatchObject({
      instrument: 'BTCUSD',
      buysell: 'BUY',
      volume: 1,
      ordertype: 'MKT',
      runmode: 'livetest',
      accountid: ACCOUNT,
      user: USER,
      api_key: API_KEY,
      token: TOKEN,
    });
    const doc = await t.load();
    expect(doc.trades).toEqual([
      { tradeId: '746805590705', orderRef: sent?.orderRef, side: 'BUY', volume: 1, instrument: 'BTCUSD', openedAt: expect.any(String), status: 'open' },
    ]);
    expect(doc.intents).toEqual([]);
  });

  it('SELL opens a sell order of the configured instrument and volume', async () => {
    api.session();
    api.openOrder([200, openOrderBody('746805590706')]);
    t = await makeBridge({ strategy: fixedStrategy('SELL'), env: { BRIDGE_INSTRUMENT: 'ETHUSD', BRIDGE_VOLUME: '2.5' } });

    const result = await t.tick();

    expect(result).toMatchObject({ ok: true, opened: '746805590706' });
    expect(api.posts('/open_order')[0]?.params).toMatchObject({ instrument: 'ETHUSD', buysell: 'SELL', volume: 2.5, ordertype: 'MKT' });
    expect((await t.load()).trades).toMatchObject([{ tradeId: '746805590706', side: 'SELL', instrument: 'ETHUSD', volume: 2.5 }]);
  });

  it('nothing sends no request at all and stores nothing', async () => {
    t = await makeBridge({ strategy: fixedStrategy(null) });

    const result = await t.tick();

    expect(result).toMatchObject({ ok: true, closed: [], signal: { side: null } });
    expect(result.opened).toBeUndefined();
    expect(api.calls).toEqual([]);
    expect((await t.load()).trades).toEqual([]);
  });

  it('logs one summary line per tick with the signal, the closed and opened trade IDs and the time taken', async () => {
    api.session();
    api.openOrder([200, openOrderBody(746805590705)]);
    t = await makeBridge({ strategy: fixedStrategy('BUY') });

    await t.tick();

    const [line] = t.logs.find('tick');
    expect(line).toMatchObject({ signal: 'BUY', closed: [], opened: '746805590705', bridge: 'b1' });
    expect(typeof line?.ms).toBe('number');
    expect(typeof line?.latencyMs).toBe('number');
  });

  it('tells the strategy the tick time, instrument, volume and that nothing is tracked', async () => {
    const strategy = fixedStrategy(null);
    t = await makeBridge({ strategy, env: { BRIDGE_INSTRUMENT: 'XAUUSD', BRIDGE_VOLUME: '3' } });
    const at = new Date('2030-01-01T12:00:00.000Z');

    await t.tick(at);

    expect(strategy.calls).toHaveLength(1);
    expect(strategy.calls[0]).toMatchObject({ time: at, bridgeId: 'b1', instrument: 'XAUUSD', volume: 3, tracked: null });
  });

  it('every order carries a unique orderRef that starts with sb.<bridgeId>.', async () => {
    api.session();
    api.openOrder([200, openOrderBody(746805590001)]);
    api.opened([{ tradeId: '746805590001' }]);
    api.closeOrders();
    api.openOrder([200, openOrderBody(746805590002)]);
    t = await makeBridge({ strategy: fixedStrategy('BUY'), env: { BRIDGE_ID: 'alpha-1' } });

    expect((await t.tick()).ok).toBe(true);
    expect((await t.tick()).ok).toBe(true);

    const refs = api.posts('/open_order').map((c) => String(c.params.orderRef));
    expect(refs).toHaveLength(2);
    for (const ref of refs) expect(ref).toMatch(/^sb\.alpha-1\.\S+$/);
    expect(new Set(refs).size).toBe(2);
    // The first is closing (submitted, not yet confirmed), the second open.
    expect((await t.load()).trades).toMatchObject([
      { tradeId: '746805590001', status: 'closing' },
      { tradeId: '746805590002', orderRef: refs[1], status: 'open' },
    ]);
  });

  it('the volume, takeProfit and stopLoss of a signal object reach open_order and the store', async () => {
    api.session();
    api.openOrder([200, openOrderBody(746805590705)]);
    t = await makeBridge({ strategy: fixedStrategy({ signal: 'BUY', volume: 0.5, takeProfit: 31_000, stopLoss: 29_500.5 }) });

    const result = await t.tick();

    expect(result.ok).toBe(true);
    expect(api.posts('/open_order')[0]?.params).toMatchObject({ buysell: 'BUY', volume: 0.5, takeProfitLevel: 31_000, stopLossLevel: 29_500.5 });
    expect((await t.load()).trades).toMatchObject([{ volume: 0.5 }]);
  });

  it('a plain BUY sends no takeProfitLevel or stopLossLevel at all', async () => {
    api.session();
    api.openOrder([200, openOrderBody(746805590705)]);
    t = await makeBridge({ strategy: fixedStrategy('buy') });

    await t.tick();

    const sent = api.posts('/open_order')[0]?.params ?? {};
    expect(sent).not.toHaveProperty('takeProfitLevel');
    expect(sent).not.toHaveProperty('stopLossLevel');
  });
});
