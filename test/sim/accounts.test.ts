/** GET /accounts, and which account IDs trading calls accept. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, DEMO, get, login, openOrder, order, post, UTC_US, useSim } from './helpers.js';

const ACCOUNT_KEYS = ['NAV', 'accountid', 'availableBalance', 'isTrading', 'lastUpdatedTime', 'marginUsed', 'realizedPL', 'runmode', 'unrealizedPL'];

describe('a configured list of accounts', () => {
  const s = useSim({ beforeEach, afterEach }, {
    priceStepMs: 3_600_000,
    users: [{ user: 'demo', apiKey: 'demo-key' }, { user: 'other', apiKey: 'other-key' }],
    accounts: [
      { id: 'acc-1', runmode: 'livetest', balance: 50_000 },
      { id: 'acc-2', runmode: 'livetest', isTrading: false },
      { id: 'acc-9', runmode: 'livetrade', user: 'demo' },
      { id: 'acc-o', runmode: 'livetest', user: 'other' },
    ],
  });

  it('lists the user\'s accounts of that runmode with the documented fields', async () => {
    const token = await login(s.sim);
    const r = await get(s.sim, '/accounts', { ...DEMO, token, runmode: 'livetest' });
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(2);
    expect(r.body.res.map((a: { accountid: string; isTrading: boolean }) => [a.accountid, a.isTrading])).toEqual([['acc-1', true], ['acc-2', false]]);
    for (const a of r.body.res) {
      expect(Object.keys(a).sort()).toEqual(ACCOUNT_KEYS);
      expect(a.runmode).toBe('livetest');
      expect(a.lastUpdatedTime).toMatch(UTC_US);
    }
    expect(r.body.res[0]).toMatchObject({ NAV: 50_000, availableBalance: 50_000, marginUsed: 0, realizedPL: 0, unrealizedPL: 0 });
    const real = await get(s.sim, '/accounts', { ...DEMO, token, runmode: 'livetrade' });
    expect(real.body.res.map((a: { accountid: string }) => a.accountid)).toEqual(['acc-9']);
  });

  it('NAV follows the account\'s trades: unrealised while open, realised once closed', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { accountid: 'acc-1', volume: 2 });
    const { bid, ask } = s.sim.quote('BTCUSD');
    const spreadLoss = Math.round((bid - ask) * 2 * 100) / 100;
    const open = (await get(s.sim, '/accounts', { ...DEMO, token, runmode: 'livetest' })).body.res[0];
    expect(open).toMatchObject({ unrealizedPL: spreadLoss, realizedPL: 0, NAV: 50_000 + spreadLoss, marginUsed: Math.round(ask * 2 * 100) / 100 });
    expect(open.availableBalance).toBeCloseTo(open.NAV - open.marginUsed, 2);
    await post(s.sim, '/close_orders', acct(token, { accountid: 'acc-1', tradeIDs: id }));
    const closed = (await get(s.sim, '/accounts', { ...DEMO, token, runmode: 'livetest' })).body.res[0];
    expect(closed).toMatchObject({ unrealizedPL: 0, realizedPL: spreadLoss, NAV: 50_000 + spreadLoss, marginUsed: 0 });
  });

  it('trading calls on an account not listed (or another runmode\'s, or another user\'s) are refused, nothing placed', async () => {
    const token = await login(s.sim);
    for (const [accountid, runmode] of [['acc-404', 'livetest'], ['acc-9', 'livetest'], ['acc-o', 'livetest']]) {
      const r = await post(s.sim, '/open_order', order(token, { accountid, runmode }));
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ status: 'FAIL', res: `account not found: ${accountid} (runmode ${runmode})` });
      const q = await get(s.sim, '/opened_trades', acct(token, { accountid, runmode }));
      expect(q.body.res).toBe(`account not found: ${accountid} (runmode ${runmode})`);
    }
    expect(s.sim.books()).toEqual([]);
  });

  it('isTrading false is informative: the account still trades', async () => {
    const token = await login(s.sim);
    expect((await post(s.sim, '/open_order', order(token, { accountid: 'acc-2' }))).status).toBe(200);
  });

  it('/accounts needs a valid token', async () => {
    const r = await get(s.sim, '/accounts', { ...DEMO, token: 'nope', runmode: 'livetest' });
    expect(r.status).toBe(401);
  });
});

describe('no account list (open mode, the default)', () => {
  const s = useSim({ beforeEach, afterEach });

  it('any account ID trades; /accounts lists those the user has named in a trading call', async () => {
    const token = await login(s.sim);
    expect((await get(s.sim, '/accounts', { ...DEMO, token, runmode: 'livetest' })).body).toEqual({ count: 0, res: [] });
    await openOrder(s.sim, token, { accountid: 'e2e-anything-1' });
    await get(s.sim, '/opened_trades', acct(token, { accountid: 'e2e-anything-2' }));
    const r = await get(s.sim, '/accounts', { ...DEMO, token, runmode: 'livetest' });
    expect(r.body.res.map((a: { accountid: string; isTrading: boolean }) => [a.accountid, a.isTrading])).toEqual([
      ['e2e-anything-1', true],
      ['e2e-anything-2', true],
    ]);
    expect((await get(s.sim, '/accounts', { ...DEMO, token, runmode: 'livetrade' })).body.count).toBe(0);
  });
});
