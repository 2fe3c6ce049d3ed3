/** `check`: config, session and the account's trades, without sending any order. */
import { afterAll, describe, expect, it } from 'vitest';
import { bookOf, bridgeEnv, killStrays, ownSim, makeWorkspace, orderCalls, removeWorkspaces, runCli, tickLines } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe.concurrent('check', () => {
  it("exits 0 and lists the account's opened trades; sends no order and changes no book", async (ctx) => {
    const sim = await ownSim(ctx, { seed: 14 });
    const ws = makeWorkspace('check');
    const env = bridgeEnv(sim, ws);
    const opened = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'BUY' }, cwd: ws.dir });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const tradeId = tickLines(opened.stdout)[0]!.opened as string;

    const books = sim.books();
    const calls = orderCalls(sim);
    const r = await runCli(['check'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok\b/m);
    expect(r.stdout).toContain(ws.account);
    expect(r.stdout).toMatch(/\b1 opened trade/);
    expect(r.stdout).toContain(tradeId);
    expect(r.stdout).toContain(bookOf(sim, ws.account)[0]!.orderRef);

    expect(sim.books()).toEqual(books);
    expect(orderCalls(sim)).toEqual(calls);
  });

  it('an account with no trades: exit 0, says there are none', async (ctx) => {
    // check proves the account is listed by /accounts: the simulator lists this one from the start.
    const sim = await ownSim(ctx, { seed: 14, accounts: [{ id: 'check-empty-1', runmode: 'livetest' }] });
    const ws = { ...makeWorkspace('check-empty'), account: 'check-empty-1' };
    const calls = orderCalls(sim);
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b0 opened trade/);
    expect(orderCalls(sim)).toEqual(calls);
    expect(bookOf(sim, ws.account)).toEqual([]);
  });

  it('a wrong API key: exit 1 with a message that says the key was refused, without echoing it', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 14 });
    const ws = makeWorkspace('check-badkey');
    const wrongKey = 'k-WRONG-check-5550001';
    const books = sim.books();
    const r = await runCli(['check'], { env: bridgeEnv(sim, ws, { ALGOGENE_API_KEY: wrongKey }), cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const all = r.stdout + r.stderr;
    expect(all).toMatch(/FAIL/);
    expect(all).toMatch(/api.?key/i);
    expect(all).not.toContain(wrongKey);
    expect(sim.books()).toEqual(books);
  });

  it.for([
    ['a missing ALGOGENE_ACCOUNT_ID', { ALGOGENE_ACCOUNT_ID: undefined }, 'ALGOGENE_ACCOUNT_ID'],
    ['a BRIDGE_VOLUME that is not a number', { BRIDGE_VOLUME: 'lots' }, 'BRIDGE_VOLUME'],
    ['an ALGOGENE_BASE_URL that is not a URL', { ALGOGENE_BASE_URL: 'not a url' }, 'ALGOGENE_BASE_URL'],
  ] as const)('%s: exit 2 naming the variable, before any request', async ([, patch, variable], ctx) => {
    const sim = await ownSim(ctx, { seed: 14 });
    const ws = makeWorkspace('check-config');
    const before = sim.requests().total;
    const r = await runCli(['check'], { env: { ...bridgeEnv(sim, ws), ...patch }, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(variable);
    expect(r.stdout).not.toMatch(/^ok\b/m);
    expect(sim.requests().total).toBe(before);
  });
});
