/** A session token that stops working between two ticks of one `run` process: the next tick renews and succeeds. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { bookOf, bridgeEnv, countTicks, expectStoreMatchesBooks, jsonLines, killStrays, makeWorkspace, removeWorkspaces, spawnCli, tickLines } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: 13 });
});
afterAll(async () => {
  killStrays();
  await sim.close();
  removeWorkspaces();
});

describe('token expiry between ticks', () => {
  it('the tick after the token died gets a 401, renews once, retries and publishes; every tick succeeds', async () => {
    const ws = makeWorkspace('token');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: '* * * * * *' });
    const proc = spawnCli(['run', '--ticks', '3'], { env, cwd: ws.dir });
    await proc.waitForStdout((out) => countTicks(out) >= 1, 'the first tick');
    const sessionsBefore = sim.issuedTokens().length;
    expect(sessionsBefore).toBeGreaterThanOrEqual(1);
    // The server forgets every token: the process still holds one it believes valid for an hour.
    sim.expireTokens();

    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const ticks = tickLines(r.stdout);
    expect(ticks).toHaveLength(3);
    expect(ticks.map((t) => t.msg)).toEqual(['tick', 'tick', 'tick']);

    // The refusal was seen and answered with exactly one new token (one renewal, shared by the calls of the tick).
    expect(sim.requests().log.some((e) => e.status === 401)).toBe(true);
    expect(sim.issuedTokens().length).toBe(sessionsBefore + 1);
    expect(jsonLines(r.stdout).some((l) => /token refused/.test(String(l.msg)))).toBe(true);

    // Three orders, one per tick, none doubled by the retry; the last is open and tracked.
    const book = bookOf(sim, ws.account);
    expect(book.map((t) => t.tradeId)).toEqual(ticks.map((t) => t.opened));
    expect(book.map((t) => t.state)).toEqual(['closed', 'closed', 'open']);
    expect((await expectStoreMatchesBooks(sim, ws, env)).tracked).toEqual([ticks[2]!.opened]);
  });
});
