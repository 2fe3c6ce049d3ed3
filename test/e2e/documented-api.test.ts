/**
 * The built CLI against a simulator that behaves as ALGOGENE documents it (issue 9) and lies as a hostile server
 * would (issue 10): fills that are listed nowhere until done, closes carried out late, closes the server makes by
 * itself, sessions ended on the server's side, accounts that change under a record, and replies that cannot be
 * trusted (an empty list, a recycled trade ID, an ID in exponent form, an oversized body).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bookOf, bridgeEnv, jsonLines, killStrays, liveOf, makeWorkspace, ownSim, removeWorkspaces, runCli, statusJson, tickLines } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

const EVERY_SECOND = '* * * * * *';
const msgs = (out: string) => jsonLines(out).map((l) => String(l.msg));

describe.concurrent('the documented API, end to end', () => {
  it('real mode sends runmode livetrade', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 81 });
    const ws = makeWorkspace('livetrade');
    const r = await runCli(['once', '--confirm-real'], { env: bridgeEnv(sim, ws, { BRIDGE_MODE: 'real', BRIDGE_TEST_SIGNAL: 'BUY' }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const trades = sim.books().filter((t) => t.accountid === ws.account);
    expect(trades.map((t) => t.runmode)).toEqual(['livetrade']);
  });

  it('a session ended on the server mid-run ("Invalid session!") is renewed in the same tick: no tick fails', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 82 });
    const ws = makeWorkspace('revoked');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: EVERY_SECOND });
    const first = await runCli(['once'], { env, cwd: ws.dir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    sim.revokeTokens();
    const r = await runCli(['run', '--ticks', '2'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(msgs(r.stdout)).not.toContain('tick failed');
    expect(tickLines(r.stdout)).toHaveLength(2);
    // The run's own token survives a revocation between runs only if renewed: one refusal, one renewal.
    sim.revokeTokens();
    const again = await runCli(['once'], { env, cwd: ws.dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(liveOf(sim, ws.account)).toHaveLength(1);
  });

  it('a market order that fills two ticks later is tracked all along (query_order PENDING) and closed once', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 83, fillDelayS: 2.2, pendingMarketOrders: 'unlisted' });
    const ws = makeWorkspace('late-fill');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_POLICY: 'hold', BRIDGE_SCHEDULE: EVERY_SECOND });
    const r = await runCli(['run', '--ticks', '4'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(bookOf(sim, ws.account)).toHaveLength(1);
    expect(jsonLines(r.stdout).filter((l) => l.msg === 'tracked trade').map((l) => l.where)).toContain('pending');

    const closed = await runCli(['close'], { env, cwd: ws.dir });
    expect(closed.code, closed.stdout + closed.stderr).toBe(0);
    expect(closed.stdout).toMatch(/trade \d{12} closed/);
    expect(bookOf(sim, ws.account).map((t) => [t.state, t.closeRequests])).toEqual([['closed', 1]]);
  });

  it('a close the server carries out late is confirmed, not sent again', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 84, closeDelayS: 2.2 });
    const ws = makeWorkspace('late-close');
    const env = bridgeEnv(sim, ws, { BRIDGE_SCHEDULE: EVERY_SECOND });
    expect((await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'BUY' }, cwd: ws.dir })).code).toBe(0);
    const r = await runCli(['run', '--ticks', '5'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(bookOf(sim, ws.account).map((t) => [t.state, t.closeRequests])).toEqual([['closed', 1]]);
    expect(msgs(r.stdout)).toContain('close confirmed: trade forgotten');
    expect((await statusJson(env, ws.dir)).tracked).toEqual([]);
  });

  it('a take-profit close by the server is recorded with its price and never closed again', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 85, serverCloses: true });
    const ws = makeWorkspace('take-profit');
    const ask = sim.quote('BTCUSD').ask;
    const buy = JSON.stringify({ signal: 'BUY', takeProfit: Math.round(ask * 1.05) });
    // hold: the repeated BUY keeps the trade, so only the server can close it.
    const env = bridgeEnv(sim, ws, { BRIDGE_POLICY: 'hold', BRIDGE_TEST_SIGNAL: buy });
    expect((await runCli(['once'], { env, cwd: ws.dir })).code).toBe(0);
    sim.setPrice('BTCUSD', ask * 1.2);

    const r = await runCli(['once'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [trade] = bookOf(sim, ws.account);
    expect(trade).toMatchObject({ state: 'closed', closeReason: 'takeProfit', closeRequests: 0 });
    const line = jsonLines(r.stdout).find((l) => String(l.msg).startsWith('the server closed this trade by itself'));
    expect(line).toMatchObject({ tradeId: trade!.tradeId, price: trade!.closePrice, reason: 'takeProfit' });
    expect((await runCli(['once'], { env, cwd: ws.dir })).code).toBe(0);
    expect(bookOf(sim, ws.account)[0]!.closeRequests).toBe(0);
    const status = await statusJson(env, ws.dir);
    expect(status.tracked.map((t) => t.trade.tradeId)).not.toContain(trade!.tradeId);
  });

  it('a record of account A started with account B: exit 2 naming the record, nothing sent, the record untouched', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 86 });
    const ws = makeWorkspace('bound');
    const env = bridgeEnv(sim, ws, { ALGOGENE_ACCOUNT_ID: 'acc-77', BRIDGE_TEST_SIGNAL: 'BUY' });
    expect((await runCli(['once'], { env, cwd: ws.dir })).code).toBe(0);
    const before = await statusJson(env, ws.dir);
    const requests = sim.requests().total;

    for (const command of [['once'], ['run', '--ticks', '1'], ['close']]) {
      const r = await runCli(command, { env: { ...env, ALGOGENE_ACCOUNT_ID: 'acc-78' }, cwd: ws.dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refused: bridge main: its stored record belongs to user demo, account acc-77/);
      expect(r.stderr).toMatch(/run `close` first with the old settings, or use a new BRIDGE_ID/);
    }
    expect(sim.requests().total).toBe(requests);
    // The record is as it was (the server's live P/L moves; what the store holds does not).
    const after = await statusJson(env, ws.dir);
    expect(after.tracked.map((t) => t.trade)).toEqual(before.tracked.map((t) => t.trade));
    expect(after.tracked).toHaveLength(1);
    expect(bookOf(sim, 'acc-78')).toEqual([]);
  });
});

describe.concurrent('a server that lies (issue 10)', () => {
  it('an empty /opened_trades does not make a live trade gone: it is closed, not forgotten', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 91 });
    const ws = makeWorkspace('empty-list');
    const env = bridgeEnv(sim, ws);
    expect((await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'BUY' }, cwd: ws.dir })).code).toBe(0);
    sim.injectFault({ path: '/opened_trades', kind: 'empty-list' });
    const r = await runCli(['once'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(bookOf(sim, ws.account).map((t) => [t.state, t.closeRequests])).toEqual([['closed', 1]]);
  });

  it('a recycled trade ID is reported, not taken for the new trade; the new one is found by its orderRef', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 92 });
    const ws = makeWorkspace('recycled');
    const env = bridgeEnv(sim, ws);
    expect((await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'BUY' }, cwd: ws.dir })).code).toBe(0);
    expect((await runCli(['once'], { env, cwd: ws.dir })).code).toBe(0);
    expect((await runCli(['once'], { env, cwd: ws.dir })).code).toBe(0);
    const old = bookOf(sim, ws.account)[0]!.tradeId;
    sim.injectFault({ path: '/open_order', kind: 'recycled-id' });
    const r = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'BUY' }, cwd: ws.dir });
    expect(r.stdout).toContain(`open_order answered with trade ID ${old}, which this bridge has held before`);
    const live = liveOf(sim, ws.account).map((t) => t.tradeId);
    expect(live).toHaveLength(1);
    expect(live).not.toContain(old);
    const status = await statusJson(env, ws.dir);
    expect(status.tracked.map((t) => t.trade.tradeId)).toEqual(live);
  });

  it.for([
    ['a trade ID in exponent form', 'exponent-id'],
    ['an oversized reply', 'oversize'],
  ] as const)('%s on open_order is refused (an unknown outcome): the order is found by its orderRef and tracked under its real ID', async ([, kind], ctx) => {
    const sim = await ownSim(ctx, { seed: 93, oversizeBytes: 6 * 1024 * 1024 });
    const ws = makeWorkspace(`refused-${kind}`);
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY' });
    sim.injectFault({ path: '/open_order', kind });
    const r = await runCli(['once'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(msgs(r.stdout)).toContain('open_order outcome unknown: looking it up by orderRef');
    const live = liveOf(sim, ws.account).map((t) => t.tradeId);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatch(/^\d{12}$/);
    expect((await statusJson(env, ws.dir)).tracked.map((t) => t.trade.tradeId)).toEqual(live);
    expect(sim.requests().byPath['/open_order']).toBe(1);
  });
});
