/** ALGOGENE documents two runmodes for trading calls: livetest and livetrade. There is no realtrade. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { acct, DEMO, get, login, openOrder, order, post, useSim } from './helpers.js';

describe('runmodes', () => {
  const s = useSim({ beforeEach, afterEach });

  it('livetest and livetrade are separate books of the same account ID', async () => {
    const token = await login(s.sim);
    const paper = await openOrder(s.sim, token, { runmode: 'livetest' });
    const real = await openOrder(s.sim, token, { runmode: 'livetrade' });
    const ids = async (runmode: string) => (await get(s.sim, '/opened_trades', acct(token, { runmode }))).body.res.map((t: { trade_ID: string }) => t.trade_ID);
    expect(await ids('livetest')).toEqual([paper]);
    expect(await ids('livetrade')).toEqual([real]);
    expect(s.sim.books().map((t) => [t.tradeId, t.runmode])).toEqual([[paper, 'livetest'], [real, 'livetrade']]);
  });

  it.each(['realtrade', 'backtest', 'LIVETEST', ''])('refuses runmode %j on every trading call, placing nothing', async (runmode) => {
    const token = await login(s.sim);
    const calls = [
      post(s.sim, '/open_order', order(token, { runmode })),
      post(s.sim, '/close_orders', acct(token, { runmode, tradeIDs: '746800000001' })),
      post(s.sim, '/cancel_orders', acct(token, { runmode, tradeIDs: '746800000001' })),
      get(s.sim, '/opened_trades', acct(token, { runmode })),
      get(s.sim, '/pending_trades', acct(token, { runmode })),
      get(s.sim, '/query_order', acct(token, { runmode, tradeID: '746800000001' })),
      get(s.sim, '/accounts', { ...DEMO, token, runmode }),
    ];
    for (const r of await Promise.all(calls)) {
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ status: 'FAIL', res: 'invalid runmode' });
    }
    expect(s.sim.books()).toEqual([]);
  });

  it('the runmodes option narrows the accepted set and accepts nothing else', async () => {
    const sim = await startSimulator({ runmodes: ['livetest'] });
    try {
      const token = await login(sim);
      expect((await post(sim, '/open_order', order(token, { runmode: 'livetrade' }))).body.res).toBe('invalid runmode');
      await expect(startSimulator({ runmodes: ['realtrade' as 'livetrade'] })).rejects.toThrow(/invalid simulator option runmodes/);
    } finally {
      await sim.close();
    }
  });
});
