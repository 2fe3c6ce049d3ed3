/**
 * One writer per bridge, end to end: the BUILT CLI on one sqlite store. A second `run` exits 2 naming the holder's
 * pid; `once` is refused too while `run` holds the bridge; after SIGKILL of the holder a new `once` works at once
 * (its pid is dead on this host); `run --standby` takes over when the holder stops. The lease itself, on memory,
 * sqlite and Redis, is tested in test/store/bridge-lease.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { bookOf, bridgeEnv, countTicks, jsonLines, killStrays, liveOf, makeWorkspace, removeWorkspaces, runCli, spawnCli, statusJson, tickLines } from '../e2e/helpers.js';

const EVERY_SECOND = '* * * * * *';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: 41 });
});
afterEach(() => killStrays());
afterAll(async () => {
  await sim.close();
  removeWorkspaces();
});

describe('one writer per bridge (CLI, sqlite store)', () => {
  it('a second run exits 2 naming the holder pid; once is refused too; after SIGKILL of the holder a new once works at once', async () => {
    const ws = makeWorkspace('lease');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: EVERY_SECOND });
    const holder = spawnCli(['run'], { env, cwd: ws.dir });
    await holder.waitForStdout((out) => countTicks(out) >= 1, 'the first tick');
    const pid = holder.child.pid!;

    const second = await runCli(['run'], { env, cwd: ws.dir });
    expect(second.code, second.stdout + second.stderr).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`held by process ${pid}\\b`));
    expect(second.stderr).toMatch(/--standby/);
    expect(tickLines(second.stdout)).toEqual([]);

    const once = await runCli(['once'], { env, cwd: ws.dir });
    expect(once.code, once.stdout + once.stderr).toBe(2);
    expect(once.stderr).toMatch(new RegExp(`held by process ${pid}\\b`));
    expect(tickLines(once.stdout)).toEqual([]);

    // The refused commands sent nothing: every order on the account is the holder's, one per tick it logged.
    holder.kill('SIGKILL');
    const killed = await holder.exited;
    expect(killed.signal).toBe('SIGKILL');
    const holderOrders = tickLines(killed.stdout).filter((t) => t.opened).length;

    // A crash must not lock the user out: the holder's pid is dead on this host, so its lease is taken at once.
    const after = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'NONE' }, cwd: ws.dir });
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(tickLines(after.stdout)).toMatchObject([{ msg: 'tick' }]);
    expect(liveOf(sim, ws.account)).toEqual([]);
    // At most one more order than the holder logged: the one a kill may have caught between send and log.
    expect(bookOf(sim, ws.account).length - holderOrders).toBeLessThanOrEqual(1);
    const status = await statusJson(env, ws.dir);
    // A close submitted by the last tick stays "closing" until the next look-up confirms it.
    expect(status.tracked.filter((t) => t.trade.status !== 'closing')).toEqual([]);
    expect(status.pendingIntents).toBe(0);
  });

  it('close is refused while run holds the bridge', async () => {
    const ws = makeWorkspace('lease-close');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'NONE', BRIDGE_SCHEDULE: EVERY_SECOND });
    const holder = spawnCli(['run'], { env, cwd: ws.dir });
    await holder.waitForStdout((out) => countTicks(out) >= 1, 'the first tick');
    const r = await runCli(['close'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`held by process ${holder.child.pid}\\b`));
    // The way to make the running daemon close, not --standby (which would only wait for it to stop).
    expect(r.stderr).toMatch(/BRIDGE_HALT_FILE with BRIDGE_HALT_FLATTEN=yes/);
    expect(r.stderr).not.toMatch(/--standby/);
    holder.kill('SIGTERM');
    expect((await holder.exited).code).toBe(0);
  });

  it('run --standby waits while the holder runs, and takes over when it stops (SIGTERM)', async () => {
    const ws = makeWorkspace('lease-standby');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: EVERY_SECOND });
    const first = spawnCli(['run'], { env, cwd: ws.dir });
    await first.waitForStdout((out) => countTicks(out) >= 1, 'the first tick');

    const standby = spawnCli(['run', '--standby'], { env, cwd: ws.dir, killAfterMs: 40_000 });
    await standby.waitForStdout((out) => jsonLines(out).some((l) => l.msg === 'standing by: another process holds this bridge'), 'standing by');
    expect(countTicks(standby.stdout())).toBe(0);

    first.kill('SIGTERM');
    const stopped = await first.exited;
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    const firstTicks = tickLines(stopped.stdout);

    await standby.waitForStdout((out) => countTicks(out) >= 2, 'the standby ticking');
    standby.kill('SIGTERM');
    const r = await standby.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Never both: the standby's first tick came after the holder's last.
    const standbyTicks = tickLines(r.stdout);
    expect(Number(standbyTicks[0]!.time)).toBeGreaterThan(Number(firstTicks.at(-1)!.time));
    // The standby took the first one's trade over: it closed what the first one left open.
    expect(standbyTicks[0]!.closed).toEqual([firstTicks.at(-1)!.opened]);
    const book = bookOf(sim, ws.account);
    expect(new Set(book.map((t) => t.orderRef)).size).toBe(book.length);
    const status = await statusJson(env, ws.dir);
    expect(status.tracked.filter((t) => t.trade.status !== 'closing').map((t) => t.trade.tradeId)).toEqual(liveOf(sim, ws.account).map((t) => t.tradeId));
  });
});
