/** sma-cross — synthetic bars through a fake market, then the tick against the simulator's /history_price. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { StrategyLoadError } from '../../src/strategy/load-strategy.js';
import { safeDecide } from '../../src/strategy/safe-decide.js';
import { StrategyError } from '../../src/strategy/strategy-error.js';
import type { Bar, MarketData } from '../../src/strategy/types.js';
import { create } from '../../strategies/sma-cross.js';
import { bookOf, liveOf, orderCalls } from '../e2e/helpers.js';
import { makeBridge } from '../helpers/make-bridge.js';
import { barsOf, strategyOptions, tickContext } from './helpers.js';

/** A market that serves `bars` and records what was asked. */
function fakeMarket(bars: readonly Bar[]): MarketData & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    async history(options) {
      asked.push(options);
      return bars.slice(-options.count);
    },
  };
}

async function decide(bars: readonly Bar[], settings: Record<string, string> = {}) {
  const options = strategyOptions('sma-cross', settings);
  const market = fakeMarket(bars);
  const signal = await safeDecide(create(options), tickContext(options.logs, { market }), { timeoutMs: 2000 });
  return { signal, market, logs: options.logs };
}

const up = Array.from({ length: 40 }, (_, i) => 100 + i + (i % 3));
const down = Array.from({ length: 40 }, (_, i) => 200 - i - (i % 3));

describe('sma-cross on synthetic bars', () => {
  it('BUY on an uptrend, SELL on a downtrend, asking for the slow period at the interval', async () => {
    const buy = await decide(barsOf(up));
    expect(buy.signal).toEqual({ side: 'BUY' });
    expect(buy.market.asked).toEqual([{ count: 30, interval: 'D', before: expect.any(Date) }]);
    expect((await decide(barsOf(down))).signal).toEqual({ side: 'SELL' });
  });

  it('answers the regime: still BUY long after the cross, as long as fast stays above slow', async () => {
    const risingThenFlat = [...Array.from({ length: 30 }, (_, i) => 100 + i), ...Array.from({ length: 15 }, () => 130)];
    expect((await decide(barsOf(risingThenFlat))).signal).toEqual({ side: 'BUY' });
  });

  it('a recent cross flips the answer: a long rise, then a sharp drop', async () => {
    const bars = [...Array.from({ length: 30 }, (_, i) => 100 + i), 90, 80, 70, 60, 50];
    expect((await decide(barsOf(bars), { BRIDGE_SMA_FAST: '3', BRIDGE_SMA_SLOW: '20' })).signal).toEqual({ side: 'SELL' });
    expect((await decide(barsOf(bars.slice(0, 30)), { BRIDGE_SMA_FAST: '3', BRIDGE_SMA_SLOW: '20' })).signal).toEqual({ side: 'BUY' });
  });

  it('sorts bars by time, whatever order the server sends', async () => {
    const market: MarketData = { history: async () => [...barsOf(up)].reverse() };
    const options = strategyOptions('sma-cross');
    expect(await safeDecide(create(options), tickContext(options.logs, { market }), { timeoutMs: 2000 })).toEqual({ side: 'BUY' });
  });

  it('nothing on too few bars, and says why', async () => {
    const { signal, logs } = await decide(barsOf(up.slice(0, 29)));
    expect(signal).toEqual({ side: null });
    expect(logs.find('sma-cross: too few bars: answering nothing')[0]).toMatchObject({ bars: 29, needed: 30 });
    expect((await decide([])).signal).toEqual({ side: null });
  });

  it('nothing when the averages are equal', async () => {
    expect((await decide(barsOf(Array.from({ length: 30 }, () => 100)))).signal).toEqual({ side: null });
  });

  it('uses BRIDGE_SMA_FAST, BRIDGE_SMA_SLOW and BRIDGE_SMA_INTERVAL', async () => {
    const { market } = await decide(barsOf(up), { BRIDGE_SMA_FAST: '5', BRIDGE_SMA_SLOW: '12', BRIDGE_SMA_INTERVAL: 'H' });
    expect(market.asked).toEqual([{ count: 12, interval: 'H', before: expect.any(Date) }]);
  });

  it('a market-data failure fails the tick', async () => {
    const options = strategyOptions('sma-cross');
    const market: MarketData = { history: () => Promise.reject(new Error('history_price: HTTP 502')) };
    const error = await safeDecide(create(options), tickContext(options.logs, { market }), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrategyError);
    expect((error as Error).message).toMatch(/HTTP 502/);
  });

  it.each([
    [{ BRIDGE_SMA_FAST: '30', BRIDGE_SMA_SLOW: '30' }, /BRIDGE_SMA_FAST: expected fewer bars than BRIDGE_SMA_SLOW, got 30 and 30/],
    [{ BRIDGE_SMA_FAST: '40' }, /BRIDGE_SMA_FAST: expected fewer bars than BRIDGE_SMA_SLOW/],
    [{ BRIDGE_SMA_FAST: '0' }, /BRIDGE_SMA_FAST: expected a whole number of bars/],
    [{ BRIDGE_SMA_FAST: '2.5' }, /BRIDGE_SMA_FAST: expected a whole number/],
    [{ BRIDGE_SMA_SLOW: '-3' }, /BRIDGE_SMA_SLOW: expected a whole number/],
    [{ BRIDGE_SMA_SLOW: 'thirty' }, /BRIDGE_SMA_SLOW: expected/],
    [{ BRIDGE_SMA_SLOW: '100000' }, /BRIDGE_SMA_SLOW: expected a whole number of bars, 1 to 1000/],
    [{ BRIDGE_SMA_INTERVAL: '1 day' }, /BRIDGE_SMA_INTERVAL: expected/],
  ])('%o is a load error naming the variable', (settings, message) => {
    expect(() => create(strategyOptions('sma-cross', settings))).toThrow(StrategyLoadError);
    expect(() => create(strategyOptions('sma-cross', settings))).toThrow(message);
  });
});

describe('sma-cross through the tick against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fillDelayS: 0, seed: 24 });
  });
  afterAll(() => sim.close());

  /** The side the crossover gives on the simulator's own bars, computed here independently. */
  async function expectedSide(fast: number, slow: number): Promise<'BUY' | 'SELL' | null> {
    const reply = (await (await fetch(`${sim.url}/history_price?user=demo&api_key=demo-key&instrument=BTCUSD&count=${slow}&interval=D`)).json()) as { res: Bar[] };
    const closes = reply.res.map((b) => b.c);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const f = avg(closes.slice(-fast));
    const s = avg(closes);
    return f > s ? 'BUY' : f < s ? 'SELL' : null;
  }

  it('opens the side the averages give; a market-data failure then touches nothing', async () => {
    const account = `sma-${randomUUID().slice(0, 8)}`;
    const settings = { BRIDGE_SMA_FAST: '5', BRIDGE_SMA_SLOW: '20', BRIDGE_VOLUME: '3' };
    const strategy = create(strategyOptions('sma-cross', settings));
    const b = await makeBridge({
      strategy,
      env: { ALGOGENE_BASE_URL: sim.url, ALGOGENE_USER: 'demo', ALGOGENE_API_KEY: 'demo-key', ALGOGENE_ACCOUNT_ID: account, BRIDGE_POLICY: 'hold', ...settings },
    });
    try {
      const side = await expectedSide(5, 20);
      expect(side).not.toBeNull();
      const result = await b.tick();
      expect(result.ok, result.error?.message).toBe(true);
      expect(result.signal?.side).toBe(side);
      expect(bookOf(sim, account)).toEqual([expect.objectContaining({ tradeId: result.opened, buysell: side, volume: 3, instrument: 'BTCUSD', state: 'open' })]);

      const before = orderCalls(sim);
      // GETs are retried a little: every attempt fails (faults left over only meet /history_price).
      for (let i = 0; i < 5; i++) sim.injectFault({ path: '/history_price', kind: '500' });
      const failed = await b.tick();
      expect(failed.ok).toBe(false);
      expect(failed.error).toBeInstanceOf(StrategyError);
      expect(orderCalls(sim)).toEqual(before);
      expect(liveOf(sim, account).map((t) => t.tradeId)).toEqual([result.opened]);
    } finally {
      await b.close();
    }
  });
});
