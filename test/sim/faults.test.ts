import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { acct, DEMO, get, login, openOrder, order, post, useSim } from './helpers.js';

const sessionUrl = (sim: Simulator) => `${sim.url}/session?user=demo&api_key=demo-key`;


describe('each fault kind, as a client sees it', () => {
  const s = useSim({ beforeEach, afterEach });

  it('500: JSON FAIL body', async () => {
    s.sim.injectFault({ path: '/session', kind: '500' });
    const r = await fetch(sessionUrl(s.sim));
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ status: 'FAIL', res: 'internal server error' });
  });

  it('502: an HTML page, not JSON', async () => {
    s.sim.injectFault({ path: '/session', kind: '502' });
    const r = await fetch(sessionUrl(s.sim));
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe('text/html');
    const text = await r.text();
    expect(text).toContain('<html>');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('429: Retry-After: 1', async () => {
    s.sim.injectFault({ path: '/session', kind: '429' });
    const r = await fetch(sessionUrl(s.sim));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect((await r.json()).status).toBe('FAIL');
  });

  it('reset: fetch rejects', async () => {
    s.sim.injectFault({ path: '/session', kind: 'reset' });
    await expect(fetch(sessionUrl(s.sim))).rejects.toThrow(TypeError);
    expect(s.sim.requests().log.at(-1)).toMatchObject({ path: '/session', status: 'reset' });
  });

  it('timeout: no reply until the client gives up', async () => {
    s.sim.injectFault({ path: '/session', kind: 'timeout' });
    const call = fetch(sessionUrl(s.sim), { signal: AbortSignal.timeout(300) });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(s.sim.requests().log.at(-1)).toMatchObject({ path: '/session', status: 'timeout' });
  });

  it('truncated: a 200 whose JSON does not parse', async () => {
    s.sim.injectFault({ path: '/session', kind: 'truncated', phase: 'after' });
    const r = await fetch(sessionUrl(s.sim));
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text.length).toBeGreaterThan(10);
    expect(text.startsWith('{"res":{"token":"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });
});

describe('fault phases and the one-shot queue', () => {
  const s = useSim({ beforeEach, afterEach });
  let token: string;
  beforeEach(async () => {
    token = await login(s.sim);
  });

  it('after-phase: the order IS placed although the reply is lost', async () => {
    s.sim.injectFault({ path: '/open_order', kind: 'reset', phase: 'after' });
    await expect(post(s.sim, '/open_order', order(token, { orderRef: 'lost-reply' }))).rejects.toThrow();
    const books = s.sim.books();
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({ orderRef: 'lost-reply', state: 'open' });
    const seen = await get(s.sim, '/opened_trades', acct(token));
    expect(seen.body.res[0].order_Ref).toBe('lost-reply');
  });

  it('before-phase: nothing is placed', async () => {
    s.sim.injectFault({ path: '/open_order', kind: '500', phase: 'before' });
    expect((await post(s.sim, '/open_order', order(token))).status).toBe(500);
    expect(s.sim.books()).toEqual([]);
  });

  it('after-phase on close: the trade IS closed although the client timed out', async () => {
    const id = await openOrder(s.sim, token);
    s.sim.injectFault({ path: '/close_orders', kind: 'timeout', phase: 'after' });
    const call = fetch(`${s.sim.url}/close_orders`, { method: 'POST', body: JSON.stringify(acct(token, { tradeIDs: id })), signal: AbortSignal.timeout(300) });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(s.sim.books()[0]!.state).toBe('closed');
  });

  it('after-phase truncated carries the real reply cut in half', async () => {
    s.sim.injectFault({ path: '/open_order', kind: 'truncated', phase: 'after' });
    const r = await fetch(`${s.sim.url}/open_order`, { method: 'POST', body: JSON.stringify(order(token)) });
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/^\{"status":"PENDING_TO_FILL"/);
    expect(s.sim.books()).toHaveLength(1);
  });

  it('an injected fault hits only the next matching request, once', async () => {
    s.sim.injectFault({ path: '/open_order', kind: '500' });
    // Other paths pass untouched while the fault waits for its path.
    expect((await get(s.sim, '/opened_trades', acct(token))).status).toBe(200);
    expect((await post(s.sim, '/open_order', order(token))).status).toBe(500);
    expect((await post(s.sim, '/open_order', order(token))).status).toBe(200);
  });

  it('accepts the full path and queues several faults in order', async () => {
    s.sim.injectFault({ path: '/rest/v1/session', kind: '429' });
    s.sim.injectFault({ kind: '502' });
    expect((await get(s.sim, '/session', DEMO)).status).toBe(429);
    expect((await get(s.sim, '/opened_trades', acct(token))).status).toBe(502);
    expect((await get(s.sim, '/session', DEMO)).status).toBe(200);
  });

  it('rejects a malformed injection', () => {
    expect(() => s.sim.injectFault({ kind: 'boom' as never })).toThrow(/kind/);
  });
});

describe('random faults', () => {
  it('failRate 1 fails every API request; setFaults turns it off; non-API paths never fail', async () => {
    const sim = await startSimulator({ failRate: 1, failKinds: ['500'] });
    try {
      for (let i = 0; i < 5; i++) expect((await get(sim, '/session', DEMO)).status).toBe(500);
      expect((await fetch(sim.url.replace('/rest/v1', '/'))).status).toBe(404);
      sim.setFaults({ failRate: 0 });
      expect((await get(sim, '/session', DEMO)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('faultPhase after: the order is in the book although the client saw a 500', async () => {
    const sim = await startSimulator();
    try {
      const token = await login(sim);
      sim.setFaults({ failRate: 1, failKinds: ['500'], faultPhase: 'after' });
      expect((await post(sim, '/open_order', order(token))).status).toBe(500);
      expect(sim.books()).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });

  it('the same seed gives the same fault sequence', async () => {
    const run = async (seed: number) => {
      const sim = await startSimulator({ seed, failRate: 0.5, failKinds: ['500', '429', '502'] });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) statuses.push((await get(sim, '/session', DEMO)).status);
        return statuses;
      } finally {
        await sim.close();
      }
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 500, 429, 502]));
    expect(await run(4)).not.toEqual(a);
  });

  it('rejects invalid settings', async () => {
    const sim = await startSimulator();
    try {
      expect(() => sim.setFaults({ failRate: 2 })).toThrow(/failRate/);
      expect(() => sim.setFaults({ failKinds: ['nope' as never] })).toThrow(/failKinds/);
    } finally {
      await sim.close();
    }
    await expect(startSimulator({ faultPhase: 'during' as never })).rejects.toThrow(/faultPhase/);
  });

  it('delayMs holds every API request back', async () => {
    const sim = await startSimulator({ delayMs: 200 });
    try {
      const t0 = performance.now();
      expect((await get(sim, '/session', DEMO)).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
    } finally {
      await sim.close();
    }
  });
});

describe('request log', () => {
  const s = useSim({ beforeEach, afterEach });

  it('counts requests by path and never holds the api key or token', async () => {
    const token = await login(s.sim);
    await openOrder(s.sim, token);
    await get(s.sim, '/opened_trades', acct(token));
    s.sim.injectFault({ path: '/opened_trades', kind: '500', phase: 'after' });
    await get(s.sim, '/opened_trades', acct(token));
    await get(s.sim, '/nowhere', { api_key: 'demo-key' });
    const stats = s.sim.requests();
    expect(stats.total).toBe(5);
    expect(stats.byPath).toEqual({ '/session': 1, '/open_order': 1, '/opened_trades': 2, '(other)': 1 });
    expect(stats.log.map((e) => e.status)).toEqual([200, 200, 200, 500, 404]);
    expect(stats.log[3]!.fault).toEqual({ kind: '500', phase: 'after', injected: true });
    const dump = JSON.stringify(stats);
    expect(dump).not.toContain('demo-key');
    expect(dump).not.toContain(token);
  });
});
