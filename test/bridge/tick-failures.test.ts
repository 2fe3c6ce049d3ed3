import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/algogene/api-error.js';
import { StrategyError } from '../../src/strategy/strategy-error.js';
import type { StrategyAnswer } from '../../src/strategy/types.js';
import { makeBridge, fixedStrategy, type TestBridge } from '../helpers/make-bridge.js';
import { blockNetwork, failBody, fakeAlgogene, openOrderBody, resetNetwork, type FakeAlgogene } from '../helpers/fake-algogene.js';

const TRACKED = '746805590705';
const NEW_ID = '746805590999';

describe('a tick that fails', () => {
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

  describe('open_order refused', () => {
    it('a 400 stores nothing, clears the intent, fails the tick, and the next tick starts clean', async () => {
      api.session();
      api.openOrder([400, failBody('insufficient balance')]);
      t = await makeBridge({ strategy: fixedStrategy('BUY', null) });

      const result = await t.tick();

      expect(result.ok).toBe(false);
      expect(result.error).toBeInstanceOf(ApiError);
      expect(result.error?.message).toMatch(/insufficient balance/);
      expect(result.opened).toBeUndefined();
      const doc = await t.load();
      expect(doc.trades).toEqual([]);
      expect(doc.intents).toEqual([]);
      expect(api.posts('/open_order')).toHaveLength(1);

      const calls = api.calls.length;
      expect((await t.tick()).ok).toBe(true);
      expect(api.calls).toHaveLength(calls);
    });
  });

  describe('the strategy fails: no trading call, the store unchanged', () => {
    const cases: [string, StrategyAnswer | (() => StrategyAnswer | Promise<StrategyAnswer>), StrategyError['reason']][] = [
      ['throws', () => { throw new Error('model file missing'); }, 'threw'],
      ['rejects', () => Promise.reject(new Error('feed down')), 'threw'],
      ['answers a word that is not a signal', 'MAYBE', 'invalid'],
      ['answers a number', 42 as unknown as StrategyAnswer, 'invalid'],
      ['answers an object without a valid signal', { side: 'BUY' } as unknown as StrategyAnswer, 'invalid'],
      ['answers a zero volume', { signal: 'BUY', volume: 0 }, 'invalid'],
      ['never answers (past BRIDGE_STRATEGY_TIMEOUT_MS)', () => new Promise<StrategyAnswer>(() => {}), 'timeout'],
    ];

    it.each(cases)('a strategy that %s: the tracked trade is not closed and nothing is opened', async (_name, answer, reason) => {
      api.session();
      api.opened([{ tradeId: TRACKED, side: 'SELL' }]);
      t = await makeBridge({ strategy: fixedStrategy(answer), env: { BRIDGE_STRATEGY_TIMEOUT_MS: '50' } });
      await t.track({ tradeId: TRACKED, side: 'SELL' });
      const before = await t.load();

      const result = await t.tick();

      expect(result.ok).toBe(false);
      expect(result.error).toBeInstanceOf(StrategyError);
      expect((result.error as StrategyError).reason).toBe(reason);
      expect(result.closed).toEqual([]);
      expect(api.posts()).toEqual([]);
      expect(await t.load()).toEqual(before);
      expect(t.logs.find('tick failed')).toMatchObject([{ level: 50, errorType: 'StrategyError' }]);
    });

    it('a strategy that fails with nothing tracked sends no request at all', async () => {
      t = await makeBridge({ strategy: fixedStrategy(() => { throw new Error('boom'); }) });
      const result = await t.tick();
      expect(result.error).toBeInstanceOf(StrategyError);
      expect(api.calls).toEqual([]);
      expect(await t.load()).toMatchObject({ trades: [], intents: [] });
    });
  });

  describe('open_order whose reply is lost', () => {
    /** The trade the lost order became, listed under the orderRef the bridge sent. */
    const ourTrade = () => [{ tradeId: NEW_ID, side: 'BUY' as const, orderRef: String(api.posts('/open_order')[0]?.params.orderRef) }];

    it('a connection reset, after which /opened_trades lists the orderRef: adopted, not sent again', async () => {
      api.session();
      api.fail('POST', '/open_order', 'ECONNRESET');
      api.opened(ourTrade);
      api.pending([]);
      t = await makeBridge({ strategy: fixedStrategy('BUY') });

      const result = await t.tick();

      expect(result).toMatchObject({ ok: true, opened: NEW_ID });
      expect(api.posts('/open_order')).toHaveLength(1);
      const doc = await t.load();
      expect(doc.trades).toMatchObject([{ tradeId: NEW_ID, side: 'BUY', orderRef: ourTrade()[0]?.orderRef }]);
      expect(doc.intents).toEqual([]);
      expect(t.logs.find('adopted the trade of an order whose reply was lost')).toMatchObject([{ tradeId: NEW_ID }]);
    });

    it('a timeout, after which /opened_trades lists the orderRef: adopted, not sent again', async () => {
      api.session();
      api.on('POST', '/open_order', [200, openOrderBody(Number(NEW_ID))]).delay(3_000);
      api.opened(ourTrade);
      api.pending([]);
      t = await makeBridge({ strategy: fixedStrategy('BUY'), env: { BRIDGE_HTTP_TIMEOUT_MS: '150' } });

      const result = await t.tick();

      expect(result).toMatchObject({ ok: true, opened: NEW_ID });
      expect(api.posts('/open_order')).toHaveLength(1);
      expect((await t.load()).trades).toMatchObject([{ tradeId: NEW_ID }]);
    });

    it('a lost reply whose order is found still pending is adopted too', async () => {
      api.session();
      api.fail('POST', '/open_order', 'ECONNRESET');
      api.opened([]);
      api.pending(ourTrade);
      t = await makeBridge({ strategy: fixedStrategy('BUY') });

      const result = await t.tick();

      expect(result).toMatchObject({ ok: true, opened: NEW_ID });
      expect((await t.load()).trades.map((x) => x.tradeId)).toEqual([NEW_ID]);
    });

    it('an order not found yet is not sent again: the tick fails, the next one looks once more before anything new', async () => {
      api.session();
      api.fail('POST', '/open_order', 'ECONNRESET');
      api.opened([]);
      api.pending([]);
      t = await makeBridge({ strategy: fixedStrategy('BUY') });

      const first = await t.tick();

      expect(first.ok).toBe(false);
      expect(first.opened).toBeUndefined();
      expect((await t.load()).trades).toEqual([]);
      expect((await t.load()).intents).toHaveLength(1);

      // Next tick: the order has appeared meanwhile, so it is adopted and the reopen policy closes it.
      api.opened(ourTrade);
      api.pending([]);
      api.opened(ourTrade);
      api.closeOrders();
      api.openOrder([200, openOrderBody(746805591000)]);
      const second = await t.tick();

      expect(second).toMatchObject({ ok: true, closed: [{ tradeId: NEW_ID }], opened: '746805591000' });
      expect(api.posts('/open_order')).toHaveLength(2);
      expect((await t.load()).intents).toEqual([]);
    });

    it('a malformed open_order reply never stores an undefined trade ID', async () => {
      api.session();
      api.on('POST', '/open_order', [200, { status: 'PENDING_TO_FILL', tradeID: 'abc' }]);
      api.opened([]);
      api.pending([]);
      t = await makeBridge({ strategy: fixedStrategy('SELL') });

      const result = await t.tick();

      expect(result.ok).toBe(false);
      expect(result.opened).toBeUndefined();
      const doc = await t.load();
      expect(doc.trades).toEqual([]);
      expect(JSON.stringify(doc)).not.toMatch(/undefined|null|"abc"/);
      expect(api.posts('/open_order')).toHaveLength(1);
    });
  });

  // The token is fetched inside client.openOrder, after the intent is saved: a /session failure
  // must clear the intent of an order that was provably never sent.
  it('an order never sent because /session was down leaves no intent behind, and the next tick trades', async () => {
    api.on('GET', '/session', [503, '<html>Service Unavailable</html>'], 3);
    t = await makeBridge({ strategy: fixedStrategy('BUY') });

    const first = await t.tick();

    expect(first.ok).toBe(false);
    expect(api.posts()).toEqual([]);
    expect((await t.load()).intents).toEqual([]);

    api.session();
    api.openOrder([200, openOrderBody(Number(NEW_ID))]);
    const second = await t.tick();
    expect(second).toMatchObject({ ok: true, opened: NEW_ID });
  });

  it('a tick never throws: an API outage is a failed result naming its cause', async () => {
    api.on('GET', '/session', [503, '<html>Service Unavailable</html>'], 3);
    t = await makeBridge({ strategy: fixedStrategy('BUY') });

    const result = await t.tick();

    expect(result.ok).toBe(false);
    expect(result.error?.name).toBe('TransportError');
    expect(api.posts()).toEqual([]);
    expect((await t.load()).trades).toEqual([]);
  });

  describe('the store fails: no order without a record', () => {
    it('a store that cannot be written: the order is never sent', async () => {
      t = await makeBridge({ strategy: fixedStrategy('BUY') });
      (t.store.states as { put: unknown }).put = async () => {
        throw new Error('disk full');
      };

      const result = await t.tick();

      expect(result.ok).toBe(false);
      expect(result.error?.name).toBe('StoreError');
      expect(result.error?.message).toMatch(/disk full/);
      expect(api.calls).toEqual([]);
    });

    it('a damaged state record: the tick fails and sends nothing, rather than reading it as "nothing tracked"', async () => {
      t = await makeBridge({ strategy: fixedStrategy('BUY') });
      await t.store.keyv.set('bridge:b1:state', { version: 1, trades: 'lost' });

      const result = await t.tick();

      expect(result.ok).toBe(false);
      expect(result.error?.name).toBe('StoreError');
      expect(api.calls).toEqual([]);
    });
  });
});
