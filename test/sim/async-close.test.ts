/** close_orders submits a close; with closeDelayS the trade leaves /opened_trades only later. Also: close by orderRef. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, get, login, openOrder, poll, post, useSim } from './helpers.js';

const openIds = async (sim: Parameters<typeof get>[0], token: string) =>
  (await get(sim, '/opened_trades', acct(token))).body.res.map((t: { trade_ID: string }) => t.trade_ID);

describe('a close delay', () => {
  const s = useSim({ beforeEach, afterEach }, { closeDelayS: 0.4 });

  it('SUCCESS at once; the trade stays open (state closing) until the delay passes, then is gone', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token);
    const r = await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    expect(r.body).toEqual({ res: `Submitted close order request for '${id}',`, status: 'SUCCESS' });
    expect(await openIds(s.sim, token)).toEqual([id]);
    expect(s.sim.books()[0]).toMatchObject({ state: 'closing', closeRequests: 1, closedAt: null });
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body.openclose).toBe('open');

    await poll(async () => ((await openIds(s.sim, token)).length === 0 ? true : undefined));
    const snap = s.sim.books()[0]!;
    expect(snap).toMatchObject({ state: 'closed', closeReason: 'api', closeRequests: 1 });
    expect(snap.closedAt! - snap.closeRequestedAt!).toBeGreaterThanOrEqual(399);
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body.openclose).toBe('close');
  });

  it('a second close while closing answers SUCCESS, is counted, and closes once', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token);
    await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    const again = await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }));
    expect(again.body.status).toBe('SUCCESS');
    await poll(async () => (s.sim.books()[0]!.state === 'closed' ? true : undefined));
    expect(s.sim.books()[0]).toMatchObject({ closeRequests: 2, closeReason: 'api' });
    // Closed now: a third close is refused.
    expect((await post(s.sim, '/close_orders', acct(token, { tradeIDs: id }))).body).toEqual({ status: 'FAIL', res: `trade not found: ${id}` });
  });
});

describe('close by orderRef', () => {
  const s = useSim({ beforeEach, afterEach });

  it('closes every open trade carrying the reference, and only those', async () => {
    const token = await login(s.sim);
    const a = await openOrder(s.sim, token, { orderRef: 'sb.x.1' });
    const b = await openOrder(s.sim, token, { orderRef: 'sb.x.1' });
    const other = await openOrder(s.sim, token, { orderRef: 'sb.x.2' });
    const r = await post(s.sim, '/close_orders', acct(token, { orderRef: 'sb.x.1' }));
    expect(r.body).toEqual({ res: `Submitted close order request for '${a}','${b}',`, status: 'SUCCESS' });
    expect(await openIds(s.sim, token)).toEqual([other]);
  });

  it('no open trade with that reference: 400, nothing closed', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { orderRef: 'keep' });
    const r = await post(s.sim, '/close_orders', acct(token, { orderRef: 'absent' }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'FAIL', res: 'no open trade with orderRef: absent' });
    expect(await openIds(s.sim, token)).toEqual([id]);
  });

  it('tradeIDs win when both are given', async () => {
    const token = await login(s.sim);
    const a = await openOrder(s.sim, token, { orderRef: 'r' });
    const b = await openOrder(s.sim, token, { orderRef: 'r' });
    await post(s.sim, '/close_orders', acct(token, { tradeIDs: a, orderRef: 'r' }));
    expect(await openIds(s.sim, token)).toEqual([b]);
  });
});
