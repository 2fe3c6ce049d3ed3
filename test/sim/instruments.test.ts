/** /list_instrument, /meta_instrument, and the volume rules open_order enforces from that metadata. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, get, login, order, post, useSim } from './helpers.js';

describe('instruments', () => {
  const s = useSim({ beforeEach, afterEach }, {
    instruments: [
      { symbol: 'XAUUSD', price: 1940, spread: 0.4, decimals: 2, market: 'METAL', contractSize: 100, minVolume: 0.1, volumeDecimals: 1, description: 'Gold' },
      { symbol: 'BTCUSD', price: 30000, spread: 20, decimals: 2, market: 'CRYPTO' },
    ],
  });

  it('list_instrument: every symbol, alphabetical, key only', async () => {
    expect((await get(s.sim, '/list_instrument', DEMO)).body).toEqual({ count: 2, res: ['BTCUSD', 'XAUUSD'] });
    expect((await get(s.sim, '/list_instrument', { user: 'demo', api_key: 'x' })).status).toBe(401);
  });

  it('meta_instrument: the docstring\'s fields plus the lot rules', async () => {
    const r = await get(s.sim, '/meta_instrument', { ...DEMO, instrument: 'XAUUSD' });
    expect(r.body).toEqual({
      res: {
        instrument: 'XAUUSD', contractSize: 100, market: 'METAL', producttype: 'SPOT', settleCurrency: 'USD', description: 'Gold',
        minVolume: 0.1, volumeDecimals: 1, priceDecimals: 2,
      },
    });
    expect((await get(s.sim, '/meta_instrument', { ...DEMO, instrument: 'NOPE' })).body).toEqual({ status: 'FAIL', res: 'unknown instrument: NOPE' });
    expect((await get(s.sim, '/meta_instrument', DEMO)).body).toEqual({ status: 'FAIL', res: 'missing instrument' });
  });

  it.each([
    [0.05, 'invalid volume: below the minimum 0.1 of XAUUSD'],
    [0.25, 'invalid volume: at most 1 decimals for XAUUSD'],
  ])('open_order refuses volume %d: %s', async (volume, reason) => {
    const token = await login(s.sim);
    const r = await post(s.sim, '/open_order', order(token, { instrument: 'XAUUSD', volume }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'FAIL', res: reason });
    expect(s.sim.books()).toEqual([]);
  });

  it('a volume that fits is placed, and P/L counts contractSize units per lot', async () => {
    const token = await login(s.sim);
    expect((await post(s.sim, '/open_order', order(token, { instrument: 'XAUUSD', volume: 0.3 }))).status).toBe(200);
    expect((await post(s.sim, '/open_order', order(token, { instrument: 'BTCUSD', volume: 0.01 }))).status).toBe(200);
    const id = s.sim.books()[0]!.tradeId;
    await post(s.sim, '/close_orders', { ...DEMO, token, runmode: 'livetest', accountid: 'acc-1', tradeIDs: id });
    const t = s.sim.books()[0]!;
    expect(t.realizedPL).toBe(Math.round((t.closePrice! - t.entryPrice!) * 0.3 * 100 * 100) / 100);
  });
});
