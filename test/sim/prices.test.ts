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
    expect(r.body.res.map((q: { symbol: string }) => q.symbol)).toEqual(['BTCUSD', 'EURUSD']);
    for (const q of r.body.res) {
      expect(Object.keys(q).sort()).toEqual(['ask', 'bid', 'symbol', 'timestamp']);
      expect(q.bid).toBeGreaterThan(0);
      expect(q.ask).toBeGreaterThan(q.bid);
      expect(q.timestamp).toMatch(UTC_US);
    }
    const btc = r.body.res[0];
    expect(btc.bid).toBeGreaterThan(20_000);
    expect(btc.bid).toBeLessThan(40_000);
  });

  it('prices move over time (random walk)', async () => {
    const first = (await get(s.sim, '/realtime_price', { ...DEMO, symbols: 'BTCUSD' })).body.res[0].bid;
    await poll(async () => {
      const now = (await get(s.sim, '/realtime_price', { ...DEMO, symbols: 'BTCUSD' })).body.res[0].bid;
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

  it('returns count bars, oldest first, ending with the bar containing timestamp', async () => {
    const r = await history(s.sim, q);
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(30);
    const bars = r.body.res;
    expect(bars).toHaveLength(30);
    expect(bars[29].t).toBe('2023-08-31 00:00:00');
    expect(bars[0].t).toBe('2023-08-02 00:00:00');
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i];
      expect(Object.keys(b).sort()).toEqual(['c', 'h', 'l', 'o', 't', 'v']);
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
    const short = (await history(s.sim, { ...q, count: 10, timestamp: '2023-08-25' })).body.res;
    expect(short).toEqual(long.slice(14, 24));
  });

  it('supports hour and minute bars', async () => {
    const h = (await history(s.sim, { ...q, interval: 'H', count: 3 })).body.res;
    expect(h.map((b: { t: string }) => b.t)).toEqual(['2023-08-31 12:00:00', '2023-08-31 13:00:00', '2023-08-31 14:00:00']);
    const m = (await history(s.sim, { ...q, interval: 'M', count: 2, timestamp: '2023-08-31 14:05:30' })).body.res;
    expect(m.map((b: { t: string }) => b.t)).toEqual(['2023-08-31 14:04:00', '2023-08-31 14:05:00']);
  });

  it('defaults count to 100 and bounds it by maxHistoryCount', async () => {
    const { count: _c, ...noCount } = q;
    expect((await history(s.sim, noCount)).body.count).toBe(100);
    expect((await history(s.sim, { ...q, count: 100000 })).body.count).toBe(500);
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
