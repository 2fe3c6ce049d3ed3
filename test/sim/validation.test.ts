import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, get, login, order, post, useSim } from './helpers.js';

describe('input validation', () => {
  const s = useSim({ beforeEach, afterEach }, { runmodes: ['livetest', 'livetrade'] });
  let token: string;
  beforeEach(async () => {
    token = await login(s.sim);
  });

  it.each([
    ['buysell', { buysell: 'buy' }, 'invalid buysell: expected BUY or SELL'],
    ['buysell missing', { buysell: undefined }, 'invalid buysell: expected BUY or SELL'],
    ['volume zero', { volume: 0 }, 'invalid volume'],
    ['volume negative', { volume: -1 }, 'invalid volume'],
    ['volume as text', { volume: '1' }, 'invalid volume'],
    ['runmode', { runmode: 'backtest' }, 'invalid runmode'],
    ['instrument unknown', { instrument: 'DOGEUSD' }, 'unknown instrument: DOGEUSD'],
    ['instrument missing', { instrument: undefined }, 'missing instrument'],
    ['ordertype', { ordertype: 'LMT' }, 'invalid ordertype: only MKT is supported'],
    ['ordertype missing', { ordertype: undefined }, 'invalid ordertype: only MKT is supported'],
    ['accountid missing', { accountid: undefined }, 'missing accountid'],
    ['accountid empty', { accountid: '' }, 'missing accountid'],
    ['orderRef not text', { orderRef: 42 }, 'invalid orderRef'],
    ['takeProfitLevel', { takeProfitLevel: 'high' }, 'invalid takeProfitLevel'],
    ['stopLossLevel', { stopLossLevel: -5 }, 'invalid stopLossLevel'],
    ['holdtime', { holdtime: 'x' }, 'invalid holdtime'],
  ])('open_order rejects a bad %s with 400 and places nothing', async (_name, patch, reason) => {
    const body = order(token, patch);
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete body[k];
    const r = await post(s.sim, '/open_order', body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'FAIL', res: reason });
    expect(s.sim.books()).toEqual([]);
  });

  it('accepts every configured runmode', async () => {
    for (const runmode of ['livetest', 'livetrade']) {
      expect((await post(s.sim, '/open_order', order(token, { runmode }))).status).toBe(200);
    }
  });

  it('checks runmode and accountid on queries too', async () => {
    expect((await get(s.sim, '/opened_trades', acct(token, { runmode: 'paper' }))).body.res).toBe('invalid runmode');
    expect((await get(s.sim, '/pending_trades', acct(token, { accountid: undefined }))).body.res).toBe('missing accountid');
  });

  it('close_orders needs tradeIDs or orderRef; cancel_orders needs tradeIDs', async () => {
    const close = await post(s.sim, '/close_orders', acct(token));
    expect(close.status).toBe(400);
    expect(close.body).toEqual({ status: 'FAIL', res: 'missing tradeIDs or orderRef' });
    const cancel = await post(s.sim, '/cancel_orders', acct(token));
    expect(cancel.status).toBe(400);
    expect(cancel.body).toEqual({ status: 'FAIL', res: 'missing tradeIDs' });
  });

  it('rejects a body that is not a JSON object', async () => {
    for (const body of ['{"user":', '[1,2]', 'null', '']) {
      const r = await fetch(`${s.sim.url}/open_order`, { method: 'POST', body });
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ status: 'FAIL', res: 'invalid JSON body' });
    }
  });

  it('reads a POST body as JSON without any content-type header, as the Python example sends it', async () => {
    const payload = JSON.stringify(order(token));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${s.sim.url}/open_order`, { method: 'POST', headers: { 'content-length': Buffer.byteLength(payload) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      expect(req.getHeader('content-type')).toBeUndefined();
      req.end(payload);
    });
    expect(status).toBe(200);
    expect(s.sim.books()).toHaveLength(1);
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    const r404 = await get(s.sim, '/no_such_call');
    expect(r404.status).toBe(404);
    expect(r404.body.status).toBe('FAIL');
    expect((await get(s.sim, '/open_order', acct(token))).status).toBe(405);
    expect((await fetch(s.sim.url.replace('/rest/v1', '/session'))).status).toBe(404);
  });
});
