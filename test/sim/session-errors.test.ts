/** The refusals third-party apps saw from ALGOGENE: "Invalid session!", "Unauthorized", "Exceed maximum access count". */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXCEED_ACCESS } from '../../src/sim/index.js';
import { RateLimit } from '../../src/sim/rate-limit.js';
import { acct, DEMO, get, login, openOrder, order, post, useSim } from './helpers.js';

describe('revokeTokens', () => {
  const s = useSim({ beforeEach, afterEach });

  it('old tokens get HTTP 400 {"res": "Invalid session!"} on every token call; a new session works', async () => {
    const old = await login(s.sim);
    const id = await openOrder(s.sim, old);
    s.sim.revokeTokens();
    const calls = [
      post(s.sim, '/open_order', order(old)),
      post(s.sim, '/close_orders', acct(old, { tradeIDs: id })),
      get(s.sim, '/opened_trades', acct(old)),
      get(s.sim, '/query_order', acct(old, { tradeID: id })),
      get(s.sim, '/accounts', { ...DEMO, token: old, runmode: 'livetest' }),
    ];
    for (const r of await Promise.all(calls)) {
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ res: 'Invalid session!' });
    }
    expect(s.sim.books().map((t) => t.state)).toEqual(['open']);
    const fresh = await login(s.sim);
    expect((await get(s.sim, '/opened_trades', acct(fresh))).body.count).toBe(1);
  });

  it('a token never issued stays 401 "invalid token"; an expired one too', async () => {
    expect((await get(s.sim, '/opened_trades', acct('f'.repeat(32)))).body).toEqual({ status: 'FAIL', res: 'invalid token' });
    const t = await login(s.sim);
    s.sim.expireTokens();
    expect((await get(s.sim, '/opened_trades', acct(t))).status).toBe(401);
  });
});

describe('badTokenReply: invalid-session', () => {
  const s = useSim({ beforeEach, afterEach }, { badTokenReply: 'invalid-session', tokenTtlS: 0.3 });

  it('an expired, expired-by-hook or never-issued token gets HTTP 400 "Invalid session!"', async () => {
    const t = await login(s.sim);
    expect((await get(s.sim, '/opened_trades', acct(t))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    for (const token of [t, 'f'.repeat(32)]) {
      const r = await get(s.sim, '/opened_trades', acct(token));
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ res: 'Invalid session!' });
    }
    const fresh = await login(s.sim);
    s.sim.expireTokens();
    expect((await get(s.sim, '/accounts', { ...DEMO, token: fresh, runmode: 'livetest' })).body).toEqual({ res: 'Invalid session!' });
    // A wrong key is still the 401 it always was.
    expect((await get(s.sim, '/opened_trades', { ...acct(fresh), api_key: 'x' })).status).toBe(401);
  });
});

describe('rateLimitPerMinute', () => {
  const s = useSim({ beforeEach, afterEach }, { rateLimitPerMinute: 5, users: [{ user: 'demo', apiKey: 'demo-key' }, { user: 'b', apiKey: 'b-key' }] });

  it('the call beyond the quota gets HTTP 400 "Exceed maximum access count" and is not acted on', async () => {
    const token = await login(s.sim); // 1
    await openOrder(s.sim, token); // 2
    for (let i = 0; i < 3; i++) expect((await get(s.sim, '/opened_trades', acct(token))).status).toBe(200); // 3-5
    const refused = await post(s.sim, '/open_order', order(token));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ res: EXCEED_ACCESS });
    expect(refused.body.res).toContain('Exceed maximum access count');
    expect(s.sim.books()).toHaveLength(1);
    expect(s.sim.requests().log.at(-1)).toMatchObject({ path: '/open_order', status: 400, rateLimited: true });
  });

  it('the quota is per user: another user still gets through; a wrong key is a 401, not counted', async () => {
    const token = await login(s.sim);
    for (let i = 0; i < 4; i++) await get(s.sim, '/opened_trades', acct(token));
    expect((await get(s.sim, '/opened_trades', acct(token))).body.res).toBe(EXCEED_ACCESS);
    expect((await get(s.sim, '/session', { user: 'b', api_key: 'b-key' })).status).toBe(200);
    expect((await get(s.sim, '/session', { user: 'b', api_key: 'wrong' })).status).toBe(401);
  });

  it('setRateLimit lifts or changes it at run time', async () => {
    const token = await login(s.sim);
    for (let i = 0; i < 4; i++) await get(s.sim, '/opened_trades', acct(token));
    expect((await get(s.sim, '/opened_trades', acct(token))).status).toBe(400);
    s.sim.setRateLimit(undefined);
    expect((await get(s.sim, '/opened_trades', acct(token))).status).toBe(200);
  });
});

describe('the same replies as injected faults', () => {
  const s = useSim({ beforeEach, afterEach });

  it.each([
    ['invalid-session', { res: 'Invalid session!' }],
    ['unauthorized', { res: 'Unauthorized' }],
    ['exceed-access', { res: EXCEED_ACCESS }],
  ] as const)('%s: HTTP 400, and the order is not placed', async (kind, body) => {
    const token = await login(s.sim);
    s.sim.injectFault({ path: '/open_order', kind, phase: 'after' });
    const r = await post(s.sim, '/open_order', order(token));
    expect(r.status).toBe(400);
    expect(r.body).toEqual(body);
    // A gatekeeper's refusal: the requested phase is overridden, nothing acted.
    expect(s.sim.books()).toEqual([]);
    expect(s.sim.requests().log.at(-1)!.fault).toEqual({ kind, phase: 'before', injected: true });
  });
});

describe('RateLimit, on a clock of its own', () => {
  it('a rolling minute of served calls: refused calls do not count, the quota frees up as calls age out', () => {
    const limit = new RateLimit(2);
    expect(limit.take('u', 0)).toBe(true);
    expect(limit.take('u', 30_000)).toBe(true);
    expect(limit.take('u', 40_000)).toBe(false);
    expect(limit.take('v', 40_000)).toBe(true);
    // The call at 0 leaves the window at 60 s; the refusal at 40 s never entered it.
    expect(limit.take('u', 59_999)).toBe(false);
    expect(limit.take('u', 60_001)).toBe(true);
    expect(limit.take('u', 60_002)).toBe(false);
    expect(limit.take('u', 90_001)).toBe(true);
  });
});
