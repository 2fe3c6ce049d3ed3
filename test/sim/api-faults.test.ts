/** The fault kinds issue 10 needs: a server that acts and then lies, forgets, or echoes secrets. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_FAULT_KINDS, FAULT_KINDS, startSimulator } from '../../src/sim/index.js';
import { acct, DEMO, get, login, openOrder, order, post, useSim } from './helpers.js';

describe('fault kinds that act, then answer wrongly', () => {
  const s = useSim({ beforeEach, afterEach }, { oversizeBytes: 3 * 1024 * 1024 });
  let token: string;
  beforeEach(async () => {
    token = await login(s.sim);
  });

  it('429-after: the order IS placed, then 429 with Retry-After', async () => {
    s.sim.injectFault({ path: '/open_order', kind: '429-after' });
    const r = await post(s.sim, '/open_order', order(token, { orderRef: 'rl-after' }));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(s.sim.books()).toMatchObject([{ orderRef: 'rl-after', state: 'open' }]);
  });

  it('empty-list: opened_trades answers an empty list once while a trade exists', async () => {
    const id = await openOrder(s.sim, token);
    s.sim.injectFault({ kind: 'empty-list' });
    // Not a list: the queued fault waits for a path it applies to.
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body.status).toBe('FILLED');
    expect((await get(s.sim, '/opened_trades', acct(token))).body).toEqual({ count: 0, res: [] });
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(1);
  });

  it('recycled-id: a new trade is placed under a fresh ID, the reply names an older closed one', async () => {
    const old = await openOrder(s.sim, token, { orderRef: 'old' });
    await post(s.sim, '/close_orders', acct(token, { tradeIDs: old }));
    s.sim.injectFault({ path: '/open_order', kind: 'recycled-id' });
    const r = await post(s.sim, '/open_order', order(token, { orderRef: 'new' }));
    expect(r.status).toBe(200);
    expect(String(r.body.tradeID)).toBe(old);
    const placed = s.sim.books().find((t) => t.orderRef === 'new')!;
    expect(placed.tradeId).not.toBe(old);
    expect(placed.state).toBe('open');
  });

  it('exponent-id: trade IDs written as "7.468...e+11" strings', async () => {
    s.sim.injectFault({ path: '/open_order', kind: 'exponent-id' });
    const r = await post(s.sim, '/open_order', order(token));
    const id = s.sim.books()[0]!.tradeId;
    expect(r.body.tradeID).toBe(Number(id).toExponential());
    expect(r.body.tradeID).toMatch(/^\d\.\d+e\+11$/);
    s.sim.injectFault({ path: '/opened_trades', kind: 'exponent-id' });
    expect((await get(s.sim, '/opened_trades', acct(token))).body.res[0].trade_ID).toBe(Number(id).toExponential());
  });

  it('oversize: a 200 of several MB (padding), after acting', async () => {
    s.sim.injectFault({ path: '/open_order', kind: 'oversize' });
    const r = await post(s.sim, '/open_order', order(token));
    expect(r.status).toBe(200);
    expect(r.text.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(r.body.padding).toHaveLength(3 * 1024 * 1024);
    expect(r.body.tradeID).toBe(Number(s.sim.books()[0]!.tradeId));
  });
});

describe('close-refused', () => {
  const s = useSim({ beforeEach, afterEach });

  it('close_orders answers SUCCESS, the broker refuses: the trade stays open, query_order says why; the next close works', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token);
    s.sim.injectFault({ kind: 'close-refused' });
    const r = await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    expect(r.body).toEqual({ res: `Submitted close order request for '${id}',`, status: 'SUCCESS' });
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(1);
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body).toMatchObject({ status: 'FILLED', openclose: 'open', err_msg: 'close order rejected by broker' });
    expect(s.sim.books()[0]).toMatchObject({ state: 'open', closeRequests: 1, closeRefusals: 1 });
    await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    expect(s.sim.books()[0]).toMatchObject({ state: 'closed', closeRequests: 2, closeRefusals: 1 });
  });

  it('an unknown ID is still refused with 400: only an accepted close can be refused by the broker', async () => {
    const token = await login(s.sim);
    s.sim.injectFault({ path: '/close_orders', kind: 'close-refused' });
    expect((await post(s.sim, '/close_orders', acct(token, { tradeIDs: '746800000001' }))).status).toBe(400);
  });
});

describe('echo', () => {
  const s = useSim({ beforeEach, afterEach });

  it('the failure reason carries the query string (key and token included), nothing acted', async () => {
    const token = await login(s.sim);
    s.sim.injectFault({ path: '/opened_trades', kind: 'echo' });
    const r = await get(s.sim, '/opened_trades', acct(token));
    expect(r.status).toBe(400);
    expect(r.body.status).toBe('FAIL');
    expect(r.body.res).toContain('demo-key');
    expect(r.body.res).toContain(token);
  });

  it('echoes a POST body too', async () => {
    const token = await login(s.sim);
    s.sim.injectFault({ path: '/open_order', kind: 'echo' });
    const r = await post(s.sim, '/open_order', order(token));
    expect(r.body.res).toContain(`"token":"${token}"`);
    expect(r.body.res).toContain('"api_key":"demo-key"');
    expect(s.sim.books()).toEqual([]);
  });
});

describe('injection rules', () => {
  const s = useSim({ beforeEach, afterEach });

  it('refuses a path-bound kind on a path it cannot apply to', () => {
    expect(() => s.sim.injectFault({ path: '/session', kind: 'recycled-id' })).toThrow(/does not apply to \/session/);
    expect(() => s.sim.injectFault({ path: '/open_order', kind: 'empty-list' })).toThrow(/does not apply/);
  });
});

describe('random draws of the new kinds', () => {
  it('are as deterministic as the old ones: the same seed and requests give the same faults', async () => {
    const run = async () => {
      const sim = await startSimulator({ seed: 99, failRate: 0.5, failKinds: ['empty-list', 'exponent-id', 'invalid-session', '500'] });
      try {
        const token = (await get(sim, '/session', DEMO)).body?.res?.token ?? 'none';
        for (let i = 0; i < 20; i++) await get(sim, '/opened_trades', acct(token));
        return sim.requests().log.map((e) => [e.path, e.status, e.fault?.kind ?? null]);
      } finally {
        await sim.close();
      }
    };
    const a = await run();
    expect(await run()).toEqual(a);
    const kinds = new Set(a.map((x) => x[2]));
    expect(kinds.has('empty-list')).toBe(true);
    expect(kinds.has('invalid-session')).toBe(true);
  });

  it('FAULT_KINDS stays the transport kinds (a soak that draws from it meets no lying server)', () => {
    expect([...FAULT_KINDS]).toEqual(['500', '502', '429', 'reset', 'timeout', 'truncated']);
    expect(API_FAULT_KINDS).toContain('recycled-id');
  });
});
