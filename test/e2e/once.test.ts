/** `once` across processes sharing one sqlite store: BUY, SELL, nothing; a strategy that throws or hangs. */
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bookOf, bridgeEnv, expectStoreMatchesBooks, killStrays, liveOf, makeWorkspace, ownSim, removeWorkspaces, runCli, spawnCli, tickLines } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe.concurrent('once, one process per tick, one sqlite store', () => {
  it('BUY opens, SELL closes it and opens the other side, nothing closes: the store and the server agree after each', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 11 });
    const ws = makeWorkspace('once');
    const env = (signal: string) => bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: signal });

    // 1. BUY: one trade opens and the store tracks it.
    const buy = await runCli(['once'], { env: env('BUY'), cwd: ws.dir });
    expect(buy.code, buy.stdout + buy.stderr).toBe(0);
    const [buyTick] = tickLines(buy.stdout);
    expect(buyTick).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [] });
    expect(buyTick!.opened).toMatch(/^\d{12}$/);
    let book = bookOf(sim, ws.account);
    expect(book).toHaveLength(1);
    expect(book[0]).toMatchObject({ tradeId: buyTick!.opened, buysell: 'BUY', state: 'open', instrument: 'BTCUSD', volume: 1 });
    expect(book[0]!.orderRef).not.toBe('');
    expect((await expectStoreMatchesBooks(sim, ws, env('NONE'))).tracked).toEqual([buyTick!.opened]);

    // 2. SELL in a new process: the BUY the previous process opened is closed, a SELL is open and tracked.
    const sell = await runCli(['once'], { env: env('SELL'), cwd: ws.dir });
    expect(sell.code, sell.stdout + sell.stderr).toBe(0);
    const [sellTick] = tickLines(sell.stdout);
    expect(sellTick).toMatchObject({ msg: 'tick', signal: 'SELL', closed: [buyTick!.opened] });
    expect(sellTick!.opened).toMatch(/^\d{12}$/);
    book = bookOf(sim, ws.account);
    expect(book.map((t) => [t.tradeId, t.buysell, t.state])).toEqual([
      [buyTick!.opened, 'BUY', 'closed'],
      [sellTick!.opened, 'SELL', 'open'],
    ]);
    expect((await expectStoreMatchesBooks(sim, ws, env('NONE'))).tracked).toEqual([sellTick!.opened]);

    // 3. Nothing: the SELL is closed and forgotten, nothing opens.
    const none = await runCli(['once'], { env: env('NONE'), cwd: ws.dir });
    expect(none.code, none.stdout + none.stderr).toBe(0);
    const [noneTick] = tickLines(none.stdout);
    expect(noneTick).toMatchObject({ msg: 'tick', signal: 'NONE', closed: [sellTick!.opened] });
    expect(noneTick!.opened).toBeUndefined();
    book = bookOf(sim, ws.account);
    expect(book).toHaveLength(2);
    expect(book.every((t) => t.state === 'closed')).toBe(true);
    expect((await expectStoreMatchesBooks(sim, ws, env('NONE'))).tracked).toEqual([]);

    // 4. Nothing again: nothing tracked, so nothing is closed again (the published example's bug).
    const closeCalls = sim.requests().byPath['/close_orders'] ?? 0;
    const again = await runCli(['once'], { env: env('NONE'), cwd: ws.dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(tickLines(again.stdout)[0]).toMatchObject({ msg: 'tick', signal: 'NONE', closed: [] });
    expect(sim.requests().byPath['/close_orders'] ?? 0).toBe(closeCalls);
    expect(bookOf(sim, ws.account)).toHaveLength(2);
  });
});

describe.concurrent('once with a failing strategy', () => {
  it.for([
    ['throws', { BRIDGE_TEST_SIGNAL: 'THROW' }, /strategy exploded/],
    ['hangs past BRIDGE_STRATEGY_TIMEOUT_MS', { BRIDGE_TEST_SIGNAL: 'HANG', BRIDGE_STRATEGY_TIMEOUT_MS: '300' }, /did not answer within 300 ms/],
    ['answers something that is not a signal', { BRIDGE_TEST_SIGNAL: '{"signal":"HOLD"}' }, /answered/],
  ] as const)('a strategy that %s: exit 1, the tracked trade stays open and tracked, no order sent', async ([, extra, reason], ctx) => {
    const sim = await ownSim(ctx, { seed: 11 });
    const ws = makeWorkspace('strategy-fails');
    const opened = await runCli(['once'], { env: bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY' }), cwd: ws.dir });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const before = bookOf(sim, ws.account);
    expect(before).toHaveLength(1);
    const calls = sim.requests().byPath;

    const failed = await runCli(['once'], { env: bridgeEnv(sim, ws, extra), cwd: ws.dir });
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const [tick] = tickLines(failed.stdout);
    expect(tick).toMatchObject({ msg: 'tick failed', closed: [] });
    expect(tick!.opened).toBeUndefined();
    expect(tick!.error).toMatch(reason);

    expect(bookOf(sim, ws.account)).toEqual(before);
    const after = sim.requests().byPath;
    expect(after['/open_order'] ?? 0).toBe(calls['/open_order'] ?? 0);
    expect(after['/close_orders'] ?? 0).toBe(calls['/close_orders'] ?? 0);
    expect(liveOf(sim, ws.account)).toHaveLength(1);
    const { tracked } = await expectStoreMatchesBooks(sim, ws, bridgeEnv(sim, ws));
    expect(tracked).toEqual([before[0]!.tradeId]);
  });
});

describe('the lease once holds', () => {
  it('lasts half a minute, whatever the schedule: a once that crashes holds the bridge from other hosts no longer', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 11 });
    const ws = makeWorkspace('once-lease');
    // Hourly: a daemon's lease would last three hours. The strategy hangs, so the lease is held while the test looks.
    const cli = spawnCli(['once'], { env: bridgeEnv(sim, ws, { BRIDGE_SCHEDULE: '0 * * * *', BRIDGE_TEST_SIGNAL: 'HANG', BRIDGE_STRATEGY_TIMEOUT_MS: '2000' }), cwd: ws.dir });
    let held: { pid: number; since: string; expiresAt: number } | undefined;
    while (!held) {
      await sleep(50);
      try {
        const db = new Database(ws.storeFile, { readonly: true, fileMustExist: true });
        try {
          const rows = db.prepare('SELECT value FROM signal_bridge_leases').all() as { value: string }[];
          held = rows.map((r) => JSON.parse(r.value) as typeof held & {}).find((h) => h.pid === cli.child.pid && h.expiresAt > Date.now());
        } finally {
          db.close();
        }
      } catch {
        // The file or its table is not there yet.
      }
    }
    const ttlMs = held.expiresAt - Date.parse(held.since);
    expect(ttlMs).toBeGreaterThanOrEqual(30_000);
    expect(ttlMs).toBeLessThan(35_000);
    cli.kill('SIGTERM');
    await cli.exited;
  });
});
