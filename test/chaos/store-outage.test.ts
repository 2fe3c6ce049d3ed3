/**
 * Issue 10's store outage and forgetful store, end to end: the BUILT CLI runs `run` (a seconds schedule) on a
 * dedicated redis-server on 127.0.0.1:6390 that the test stops and starts.
 * - Outage longer than the lease (30 s): Redis shut down (its data saved) for 35 s, then started again. The bridge
 *   does not take it for a take-over: it keeps running, sends no order while the store is gone, says so
 *   ("store unreachable since …; not trading until it is back"), and trades again by itself once Redis is back.
 * - A store that forgets: Redis shut down without saving and started empty while a trade is open. The bridge notices
 *   (its lease record is gone), rebuilds its record from the server (adopts the open trade by its orderRef prefix)
 *   and goes on: the next signal closes that trade instead of leaving it open beside a new one.
 * Both end with `close`: 0 lost, 0 doubled on the simulator's books.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { bookOf, bridgeEnv, jsonLines, killStrays, makeWorkspace, removeWorkspaces, runCli, spawnCli, tickLines } from '../e2e/helpers.js';
import { expectNothingLostOrDoubled, ledgerOf } from '../helpers/ledger.js';

const PORT = 6390;
const STORE = `redis://127.0.0.1:${PORT}`;
const OUTAGE_MS = 35_000;
let dir: string;
let sim: Simulator;

function redisUp(): void {
  execFileSync('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb', '--daemonize', 'yes', '--pidfile', path.join(dir, 'redis.pid')]);
  for (let i = 0; i < 50; i += 1) {
    try {
      if (execFileSync('redis-cli', ['-p', String(PORT), 'ping']).toString().trim() === 'PONG') return;
    } catch {
      // not up yet
    }
    execFileSync('sleep', ['0.1']);
  }
  throw new Error(`redis-server on ${PORT} did not start`);
}
/** SHUTDOWN SAVE keeps the data for the next start (an outage); NOSAVE loses it (a store that forgets). */
function redisDown(keep: boolean): void {
  try {
    execFileSync('redis-cli', ['-p', String(PORT), 'shutdown', keep ? 'save' : 'nosave']);
  } catch {
    // redis-cli reports the closed connection as an error
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-outage-'));
  sim = await startSimulator({ fillDelayS: 0, seed: 1_010 });
});
afterEach(() => killStrays());
afterAll(async () => {
  redisDown(false);
  await sim.close();
  removeWorkspaces();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (out: string, pattern: RegExp) => jsonLines(out).filter((l) => pattern.test(String(l.msg)));

describe('the store goes away (a dedicated redis-server)', () => {
  it('an outage longer than the lease: no take-over, no order while it lasts, says so, resumes by itself; 0 lost, 0 doubled', async () => {
    redisUp();
    const ws = makeWorkspace('outage');
    const env = bridgeEnv(sim, ws, { BRIDGE_ID: 'outage', BRIDGE_STORE: STORE, BRIDGE_STRATEGY: 'random', BRIDGE_TEST_SIGNAL: undefined, BRIDGE_SEED: '1010', BRIDGE_SCHEDULE: '* * * * * *', BRIDGE_HTTP_TIMEOUT_MS: '2000' });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: OUTAGE_MS + 60_000 });
    await proc.waitForStdout((out) => tickLines(out).filter((t) => t.msg === 'tick').length >= 3, 'three ticks');

    const downAt = Date.now();
    redisDown(true);
    await sleep(OUTAGE_MS);
    const upAt = Date.now();
    redisUp();
    await proc.waitForStdout((out) => tickLines(out).filter((t) => t.msg === 'tick' && Number(t.time) > upAt).length >= 3, 'three ticks after the store came back');
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);

    // Not a take-over: nothing retired, no "lease lost".
    expect(lines(r.stdout, /lease lost|retired|another process/)).toEqual([]);
    const unreachable = lines(r.stdout, /^store unreachable since .*; not trading until it is back$/);
    expect(unreachable.length).toBeGreaterThanOrEqual(1);
    expect(lines(r.stdout, /^store reachable again/).length).toBeGreaterThanOrEqual(1);
    // No order reached the server while the store was gone (after the one tick that may have been in flight).
    const during = sim.requests().log.filter((e) => e.path === '/open_order' && e.atMs > downAt + 1_500 && e.atMs < upAt);
    expect(during).toEqual([]);
    const meanwhile = jsonLines(r.stdout).filter((l) => Number(l.time) > downAt + 1_500 && Number(l.time) < upAt);
    const byMsg = new Map<string, number>();
    for (const l of meanwhile) byMsg.set(String(l.msg), (byMsg.get(String(l.msg)) ?? 0) + 1);
    console.log('log lines while the store was down:', JSON.stringify([...byMsg]));
    // Every scheduled moment meanwhile is accounted for: refused or failed, never a silent gap, never a trade.
    const refused = meanwhile.filter((l) => l.msg === 'tick refused' || l.msg === 'tick failed');
    expect(refused.length).toBeGreaterThan(0);
    expect(meanwhile.filter((l) => l.msg === 'tick')).toEqual([]);

    const closed = await runCli(['close'], { env, cwd: ws.dir });
    expect(closed.code, closed.stdout + closed.stderr).toBe(0);
    const ledger = ledgerOf(bookOf(sim, ws.account), 'outage');
    console.log(
      `store outage: Redis down ${Math.round((upAt - downAt) / 1000)} s (lease 30 s); ticks refused or failed meanwhile: ${refused.length}; orders sent meanwhile: ${during.length}; ` +
        `"store unreachable" lines: ${unreachable.length}; resumed ${Math.round((Number(tickLines(r.stdout).find((t) => t.msg === 'tick' && Number(t.time) > upAt)?.time) - upAt) / 100) / 10} s after Redis came back; ` +
        `${ledger.trades} trades, ${ledger.live.length} lost, ${ledger.doubled.length} doubled`,
    );
    expectNothingLostOrDoubled(ledger);
    redisDown(false);
  });

  it('a store that forgets (restarted empty) while a trade is open: noticed, rebuilt from the server, nothing left open; 0 lost, 0 doubled', async () => {
    redisUp();
    const ws = makeWorkspace('forget');
    // BUY every second: each tick closes the trade it holds and opens the next, so a trade is always open.
    const env = bridgeEnv(sim, ws, { BRIDGE_ID: 'forget', BRIDGE_STORE: STORE, BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: '* * * * * *', BRIDGE_HTTP_TIMEOUT_MS: '2000' });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 60_000 });
    await proc.waitForStdout((out) => tickLines(out).filter((t) => t.opened).length >= 3, 'three trades');

    redisDown(false);
    redisUp();
    const upAt = Date.now();
    await proc.waitForStdout((out) => lines(out, /^the store lost its data: rebuilt/).length >= 1, 'the rebuild');
    await proc.waitForStdout((out) => tickLines(out).filter((t) => t.msg === 'tick' && t.opened && Number(t.time) > upAt).length >= 3, 'three trades after the rebuild');
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rebuilt = lines(r.stdout, /^the store lost its data: rebuilt/);
    expect(rebuilt).toHaveLength(1);
    expect((rebuilt[0]!.adopted as unknown[]).length).toBe(1);
    // At no moment after the rebuild were two of its trades open at once: each tick closed one, opened one.
    const closed = await runCli(['close'], { env, cwd: ws.dir });
    expect(closed.code, closed.stdout + closed.stderr).toBe(0);
    const ledger = ledgerOf(bookOf(sim, ws.account), 'forget');
    console.log(`store that forgets: Redis restarted empty with a trade open; rebuilt with ${(rebuilt[0]!.adopted as unknown[]).length} trade adopted; ${ledger.trades} trades, ${ledger.live.length} lost, ${ledger.doubled.length} doubled`);
    expectNothingLostOrDoubled(ledger);
    redisDown(false);
  });
});
