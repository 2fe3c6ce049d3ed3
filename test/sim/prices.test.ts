import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { DEMO, get, poll, UTC_US, useSim } from './helpers.js';

const history = (sim: Simulator, q: Record<string, unknown>) => get(sim, '/history_price', { ...DEMO, ...q });

describe('realtime_price', () => {
  const s = useSim({ beforeEach, afterEach }, { priceStepMs: 20 });

  it('quotes each requested symbol with bid < ask, no token needed', async () => {
    const r = await get(s.sim, '/realtime_price', { ...DEMO, symbols: 'BTCUSD,EURUSD' });
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(2);
    // ALGOGENE's MCP docstring: res is keyed by symbol, bidPrice/askPrice with sizes and a book.
    expect(Object.keys(r.body.res)).toEqual(['BTCUSD', 'EURUSD']);
    for (const q of Object.values<any>(r.body.res)) {
      expect(Object.keys(q).sort()).toEqual(['askOrderBook', 'askPrice', 'askSize', 'bidOrderBook', 'bidPrice', 'bidSize', 'timestamp']);
      expect(q.bidPrice).toBeGreaterThan(0);
      expect(q.askPrice).toBeGreaterThan(q.bidPrice);
      expect(q.bidOrderBook[0][0]).toBe(q.bidPrice);
      expect(q.timestamp).toMatch(UTC_US);
    }
    const btc = r.body.res.BTCUSD;
    expect(btc.bidPrice).toBeGreaterThan(20_000);
    expect(btc.bidPrice).toBeLessThan(40_000);
  });

  it('prices move over time (random walk)', async () => {
    const first = (await get(s.sim, '/realtime_price', { ...DEMO, symbols: 'BTCUSD' })).body.res.BTCUSD.bidPrice;
    await poll(async () => {
      const now = (await get(s.sim, '/realtime_price', { ...DEMO, symbols: 'BTCUSD' })).body.res.BTCUSD.bidPrice;
      return now !== first ? now : undefined;
    });
  });

  it('refuses unknown symbols, a missing list and a bad key', async () => {
    const bad = await get(s.sim, '/realtime_price', { ...DEMO, symbols: 'BTCUSD,NOPE' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: 'FAIL', res: 'unknown instrument: NOPE' });
    expect((await get(s.sim, '/realtime_price', { ...DEMO })).body.res).toBe('missing symbols');
    expect((await get(s.sim, '/realtime_price', { user: 'demo', api_key: 'x', symbols: 'BTCUSD' })).status).toBe(401);
  });
});

describe('history_price', () => {
  const s = useSim({ beforeEach, afterEach }, { seed: 7, maxHistoryCount: 500 });
  const q = { instrument: 'BTCUSD', count: 30, interval: 'D', timestamp: '2023-08-31 14:00:00' };

  it('returns count bars, oldest first, t the closing time, only bars that closed before timestamp', async () => {
    const r = await history(s.sim, q);
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(30);
    const bars = r.body.res;
    expect(bars).toHaveLength(30);
    expect(bars[29].t).toBe('2023-08-31 00:00:00');
    expect(bars[0].t).toBe('2023-08-02 00:00:00');
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i];
      expect(Object.keys(b).sort()).toEqual(['a', 'b', 'c', 'h', 'l', 'm', 'o', 't', 'v']);
      expect(b.m).toBe(b.c);
      expect(b.a).toBeGreaterThan(b.b);
      expect(b.h).toBeGreaterThanOrEqual(Math.max(b.o, b.c));
      expect(b.l).toBeLessThanOrEqual(Math.min(b.o, b.c));
      expect(b.l).toBeGreaterThan(0);
      expect(b.v).toBeGreaterThan(0);
      if (i > 0) expect(b.o).toBe(bars[i - 1].c);
    }
  });

  it('is deterministic: same seed and query give the same bars, also from another simulator', async () => {
    const a = await history(s.sim, q);
    const b = await history(s.sim, q);
    const other = await startSimulator({ seed: 7 });
    const differentSeed = await startSimulator({ seed: 8 });
    try {
      expect(b.body).toEqual(a.body);
      expect((await history(other, q)).body).toEqual(a.body);
      expect((await history(differentSeed, q)).body).not.toEqual(a.body);
    } finally {
      await Promise.all([other.close(), differentSeed.close()]);
    }
  });

  it('overlapping queries agree on the shared bars', async () => {
    const long = (await history(s.sim, { ...q, count: 30 })).body.res;
    // Bars close strictly before 2023-08-25 00:00: the last one closed on 2023-08-24.
    const short = (await history(s.sim, { ...q, count: 10, timestamp: '2023-08-25' })).body.res;
    expect(short.at(-1).t).toBe('2023-08-24 00:00:00');
    expect(short).toEqual(long.slice(13, 23));
  });

  it('supports hour, minute and second bars', async () => {
    // The hour bar closing at 14:00:00 is not before 14:00:00.
    const h = (await history(s.sim, { ...q, interval: 'H', count: 3 })).body.res;
    expect(h.map((b: { t: string }) => b.t)).toEqual(['2023-08-31 11:00:00', '2023-08-31 12:00:00', '2023-08-31 13:00:00']);
    const m5 = (await history(s.sim, { ...q, interval: 'M5', count: 2, timestamp: '2023-08-31 14:07:00' })).body.res;
    expect(m5.map((b: { t: string }) => b.t)).toEqual(['2023-08-31 14:00:00', '2023-08-31 14:05:00']);
    const sec = (await history(s.sim, { ...q, interval: 'S', count: 1, timestamp: '2023-08-31 14:05:30.5' })).body.res;
    expect(sec.map((b: { t: string }) => b.t)).toEqual(['2023-08-31 14:05:30']);
    const m = (await history(s.sim, { ...q, interval: 'M', count: 2, timestamp: '2023-08-31 14:05:30' })).body.res;
    expect(m.map((b: { t: string }) => b.t)).toEqual(['2023-08-31 14:04:00', '2023-08-31 14:05:00']);
  });

  it('defaults count to 1, as documented, and refuses more than maxHistoryCount', async () => {
    const { count: _c, ...noCount } = q;
    expect((await history(s.sim, noCount)).body.count).toBe(1);
    expect((await history(s.sim, { ...q, count: 500 })).body.count).toBe(500);
    const over = await history(s.sim, { ...q, count: 501 });
    expect(over.status).toBe(400);
    expect(over.body).toEqual({ status: 'FAIL', res: 'invalid count: at most 500' });
  });

  it('allows at most 1000 bars by default, as ALGOGENE documents', async () => {
    const sim = await startSimulator({ seed: 7 });
    try {
      expect((await history(sim, { ...q, count: 1000 })).body.count).toBe(1000);
      expect((await history(sim, { ...q, count: 1001 })).status).toBe(400);
    } finally {
      await sim.close();
    }
  });

  it.each([
    [{ count: 0 }, 'invalid count'],
    [{ count: 'ten' }, 'invalid count'],
    [{ interval: 'Y' }, 'invalid interval'],
    [{ timestamp: '31/08/2023' }, 'invalid timestamp'],
    [{ timestamp: '2023-02-30' }, 'invalid timestamp'],
    [{ instrument: 'NOPE' }, 'unknown instrument: NOPE'],
    [{ instrument: undefined }, 'missing instrument'],
  ])('rejects %o with 400', async (patch, reason) => {
    const r = await history(s.sim, { ...q, ...patch });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'FAIL', res: reason });
  });
});
