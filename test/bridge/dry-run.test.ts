import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerAfter, fixedStrategy, makeBridge, type TestBridge } from '../helpers/make-bridge.js';
import { blockNetwork, fakeAlgogene, resetNetwork, type FakeAlgogene } from '../helpers/fake-algogene.js';

const TRACKED = '746805590705';

describe('--dry-run', () => {
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

  it('a flip with a trade tracked: logs "would close" and "would open", sends no POST, changes no state', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'BUY' }]);
    t = await makeBridge({ strategy: answerAfter('/opened_trades', 'SELL'), dryRun: true });
    await t.track({ tradeId: TRACKED, side: 'BUY' });
    const before = await t.load();

    const result = await t.tick();

    expect(result.ok).toBe(true);
    expect(api.posts()).toEqual([]);
    expect(await t.load()).toEqual(before);
    expect(t.logs.find('dry run: would close')).toMatchObject([{ tradeId: TRACKED }]);
    expect(t.logs.find('dry run: would open')).toMatchObject([{ side: 'SELL', volume: 1, instrument: 'BTCUSD' }]);
    expect(t.logs.find('tick')).toMatchObject([{ dryRun: true }]);
  });

  it('a BUY with nothing tracked sends nothing and writes no intent', async () => {
    t = await makeBridge({ strategy: fixedStrategy({ signal: 'BUY', volume: 2 }), dryRun: true, env: { BRIDGE_MAX_VOLUME: '2' } });

    const result = await t.tick();

    expect(result.ok).toBe(true);
    expect(result.opened).toBeUndefined();
    expect(api.calls).toEqual([]);
    expect(await t.load()).toMatchObject({ trades: [], intents: [], recentOrders: [] });
    expect(t.logs.find('dry run: would open')).toMatchObject([{ side: 'BUY', volume: 2 }]);
  });

  it('nothing with a trade tracked: would close, the trade stays tracked', async () => {
    api.session();
    api.opened([{ tradeId: TRACKED, side: 'BUY' }]);
    t = await makeBridge({ strategy: answerAfter('/opened_trades', null), dryRun: true });
    await t.track({ tradeId: TRACKED, side: 'BUY' });

    await t.tick();

    expect(api.posts()).toEqual([]);
    expect((await t.load()).trades.map((x) => x.tradeId)).toEqual([TRACKED]);
  });
});
