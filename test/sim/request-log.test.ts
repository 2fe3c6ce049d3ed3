/** requests(): who did what, so that a test can tell processes and bridges apart; never a key or a token. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, DEMO, get, login, openOrder, post, useSim } from './helpers.js';

describe('the request log', () => {
  const s = useSim({ beforeEach, afterEach });

  it('records time, path, user, account, runmode, orderRef and trade IDs of each request', async () => {
    const before = Date.now();
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { accountid: 'acc-7', orderRef: 'sb.b1.0001' });
    await post(s.sim, '/close_orders', acct(token, { accountid: 'acc-7', tradeIDs: id }));
    await get(s.sim, '/strategy_trade', { ...DEMO, runmode: 'livetest', runtime_id: 'acc-7' });
    const log = s.sim.requests().log;
    expect(log.map((e) => [e.path, e.user, e.account, e.runmode, e.orderRef, e.tradeIds])).toEqual([
      ['/session', 'demo', null, null, null, null],
      ['/open_order', 'demo', 'acc-7', 'livetest', 'sb.b1.0001', null],
      ['/close_orders', 'demo', 'acc-7', 'livetest', null, id],
      ['/strategy_trade', 'demo', 'acc-7', 'livetest', null, null],
    ]);
    for (const e of log) {
      expect(e.atMs).toBeGreaterThanOrEqual(before);
      expect(e.remotePort).toBeGreaterThan(0);
    }
    await fetch(`${s.sim.url}/session?user=demo&api_key=demo-key`, { headers: { 'user-agent': 'signal-bridge/0.1 pid=4242' } });
    expect(s.sim.requests().log.at(-1)!.userAgent).toBe('signal-bridge/0.1 pid=4242');
    const text = JSON.stringify(s.sim.requests());
    expect(text).not.toContain('demo-key');
    expect(text).not.toContain(token);
  });
});
