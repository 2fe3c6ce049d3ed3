/** `close`: take the tracked trade off the account now and forget it. */
import { afterAll, describe, expect, it } from 'vitest';
import { bookOf, bridgeEnv, expectStoreMatchesBooks, killStrays, ownSim, makeWorkspace, orderCalls, removeWorkspaces, runCli, tickLines } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe.concurrent('close', () => {
  it('closes the tracked trade on the server and forgets it; a second close has nothing to do', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 15 });
    const ws = makeWorkspace('close');
    const env = bridgeEnv(sim, ws);
    const opened = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'SELL' }, cwd: ws.dir });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const tradeId = tickLines(opened.stdout)[0]!.opened as string;
    expect(bookOf(sim, ws.account).map((t) => [t.tradeId, t.state])).toEqual([[tradeId, 'open']]);

    const r = await runCli(['close'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(tradeId);
    expect(r.stdout).toMatch(/closed/);
    expect(bookOf(sim, ws.account).map((t) => [t.tradeId, t.state])).toEqual([[tradeId, 'closed']]);
    expect((await expectStoreMatchesBooks(sim, ws, env)).tracked).toEqual([]);

    const calls = orderCalls(sim);
    const again = await runCli(['close'], { env, cwd: ws.dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing tracked/);
    expect(orderCalls(sim)).toEqual(calls);
  });

  it('a tracked trade already closed elsewhere is forgotten, not closed again and again', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 15 });
    const ws = makeWorkspace('close-gone');
    const env = bridgeEnv(sim, ws);
    const opened = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'BUY' }, cwd: ws.dir });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const tradeId = tickLines(opened.stdout)[0]!.opened as string;
    // Someone closes it by hand on the website (here: straight on the simulator's API).
    const session = (await (await fetch(`${sim.url}/session?user=demo&api_key=demo-key`)).json()) as { res: { token: string } };
    const closed = await fetch(`${sim.url}/close_orders`, {
      method: 'POST',
      body: JSON.stringify({ user: 'demo', api_key: 'demo-key', token: session.res.token, runmode: 'livetest', accountid: ws.account, tradeIDs: tradeId }),
    });
    expect(closed.status).toBe(200);

    const r = await runCli(['close'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(tradeId);
    expect((await expectStoreMatchesBooks(sim, ws, env)).tracked).toEqual([]);
    expect(bookOf(sim, ws.account).map((t) => t.state)).toEqual(['closed']);
  });
});
