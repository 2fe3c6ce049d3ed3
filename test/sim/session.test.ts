import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { acct, DEMO, get, login, parseUtcUs, poll, UTC_US, useSim } from './helpers.js';

describe('session', () => {
  const s = useSim({ beforeEach, afterEach }, { tokenTtlS: 120, users: [{ user: 'demo', apiKey: 'demo-key' }, { user: 'bob', apiKey: 'bob-key' }] });

  it('issues a hex token with a UTC expiry in %Y-%m-%d %H:%M:%S.%f, ttl from the options', async () => {
    const r = await get(s.sim, '/session', DEMO);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['res']);
    expect(r.body.res.token).toMatch(/^[0-9a-f]{32}$/);
    expect(r.body.res.expired_utc).toMatch(UTC_US);
    const expiresIn = parseUtcUs(r.body.res.expired_utc) - Date.now();
    expect(expiresIn).toBeGreaterThan(100_000);
    expect(expiresIn).toBeLessThanOrEqual(120_000);
  });

  it.each([
    ['wrong key', { user: 'demo', api_key: 'nope' }],
    ['unknown user', { user: 'mallory', api_key: 'demo-key' }],
    ['another user\'s key', { user: 'bob', api_key: 'demo-key' }],
    ['missing key', { user: 'demo' }],
  ])('refuses a session with a %s: 401 invalid api_key', async (_name, creds) => {
    const r = await get(s.sim, '/session', creds);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ status: 'FAIL', res: 'invalid api_key' });
  });

  it('refuses trading calls without a valid token', async () => {
    const bobToken = await login(s.sim, { user: 'bob', api_key: 'bob-key' });
    for (const token of [undefined, '', 'deadbeef', bobToken]) {
      const r = await get(s.sim, '/opened_trades', { ...DEMO, runmode: 'livetest', accountid: 'a', token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ status: 'FAIL', res: 'invalid token' });
    }
  });

  it('checks the api key on trading calls too', async () => {
    const token = await login(s.sim);
    const r = await get(s.sim, '/opened_trades', acct(token, { api_key: 'wrong' }));
    expect(r.status).toBe(401);
    expect(r.body.res).toBe('invalid api_key');
  });

  it('keeps an older token valid after a renewal', async () => {
    const t1 = await login(s.sim);
    const t2 = await login(s.sim);
    expect(t1).not.toBe(t2);
    for (const t of [t1, t2]) expect((await get(s.sim, '/opened_trades', acct(t))).status).toBe(200);
  });

  it('expireTokens() invalidates every token; a new session works again', async () => {
    const t1 = await login(s.sim);
    s.sim.expireTokens();
    expect((await get(s.sim, '/opened_trades', acct(t1))).status).toBe(401);
    const t2 = await login(s.sim);
    expect((await get(s.sim, '/opened_trades', acct(t2))).status).toBe(200);
  });
});

describe('token expiry', () => {
  it('a token stops working once its ttl has passed', async () => {
    const sim = await startSimulator({ tokenTtlS: 0.2 });
    try {
      const t = await login(sim);
      expect((await get(sim, '/opened_trades', acct(t))).status).toBe(200);
      const r = await poll(async () => {
        const x = await get(sim, '/opened_trades', acct(t));
        return x.status === 401 ? x : undefined;
      });
      expect(r.body).toEqual({ status: 'FAIL', res: 'invalid token' });
    } finally {
      await sim.close();
    }
  });
});
