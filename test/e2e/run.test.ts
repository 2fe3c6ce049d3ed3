/** `run`: the daemon on a seconds schedule, stopped by --ticks or by SIGTERM. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { bookOf, bridgeEnv, countTicks, expectStoreMatchesBooks, jsonLines, killStrays, makeWorkspace, ownSim, removeWorkspaces, runCli, spawnCli, tickLines } from './helpers.js';

const EVERY_SECOND = '* * * * * *';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe.concurrent('run', () => {
  it('run --ticks 3 on a seconds schedule exits 0 after three ticks; the store and the server agree', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 12 });
    const ws = makeWorkspace('run-ticks');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: EVERY_SECOND });
    const r = await runCli(['run', '--ticks', '3'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const ticks = tickLines(r.stdout);
    expect(ticks).toHaveLength(3);
    expect(ticks.every((t) => t.msg === 'tick' && t.signal === 'BUY')).toBe(true);
    // Policy reopen: every tick closes the previous tick's trade and opens a new one.
    expect(ticks[0]!.closed).toEqual([]);
    expect(ticks[1]!.closed).toEqual([ticks[0]!.opened]);
    expect(ticks[2]!.closed).toEqual([ticks[1]!.opened]);
    expect(jsonLines(r.stdout).some((l) => l.msg === 'signal-bridge stopped')).toBe(true);

    const book = bookOf(sim, ws.account);
    expect(book.map((t) => t.tradeId)).toEqual(ticks.map((t) => t.opened));
    expect(book.map((t) => t.state)).toEqual(['closed', 'closed', 'open']);
    // One order per tick, each with its own orderRef.
    expect(new Set(book.map((t) => t.orderRef)).size).toBe(3);
    expect((await expectStoreMatchesBooks(sim, ws, env)).tracked).toEqual([ticks[2]!.opened]);
  });

  it('SIGTERM between ticks: exit 0, the store is closed and usable by the next process', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 12 });
    const ws = makeWorkspace('run-sigterm');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: EVERY_SECOND });
    const proc = spawnCli(['run'], { env, cwd: ws.dir });
    await proc.waitForStdout((out) => countTicks(out) >= 1, 'the first tick');
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.signal, r.stdout + r.stderr).toBeNull();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonLines(r.stdout).some((l) => l.msg === 'signal-bridge stopped')).toBe(true);
    // Every tick that started also finished (a tick is never cut in half by the signal).
    expect(tickLines(r.stdout).every((t) => t.msg === 'tick')).toBe(true);

    // The store was closed cleanly: the next process reads it, and it agrees with the server.
    const { tracked } = await expectStoreMatchesBooks(sim, ws, env);
    expect(tracked).toHaveLength(1);
    const last = tickLines(r.stdout).at(-1)!;
    expect(tracked).toEqual([last.opened]);
    const follow = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'NONE' }, cwd: ws.dir });
    expect(follow.code, follow.stdout + follow.stderr).toBe(0);
    expect(tickLines(follow.stdout)[0]).toMatchObject({ msg: 'tick', closed: tracked });
  });

  it('SIGTERM in the middle of a tick: the tick finishes (close and open done and recorded), then exit 0', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 12 });
    const ws = makeWorkspace('run-sigterm-mid');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: EVERY_SECOND });
    const first = await runCli(['once'], { env, cwd: ws.dir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const previous = tickLines(first.stdout)[0]!.opened as string;

    // A slow server keeps the tick in flight long enough to be interrupted.
    sim.setFaults({ delayMs: 400 });
    let r;
    try {
      const proc = spawnCli(['run'], { env, cwd: ws.dir });
      // The tick's close has reached the server (and waits out the delay): the close's answer and the open are still
      // to come. (The tracked trade's query is no sign of a tick: the prefetch asks it before the moment.)
      const closesBefore = sim.requests().byPath['/close_orders'] ?? 0;
      const deadline = Date.now() + 20_000;
      while ((sim.requests().byPath['/close_orders'] ?? 0) === closesBefore) {
        if (Date.now() > deadline) throw new Error(`no close reached the server\n${proc.stdout()}`);
        await sleep(10);
      }
      proc.kill('SIGTERM');
      r = await proc.exited;
    } finally {
      sim.setFaults({ delayMs: 0 });
    }
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const ticks = tickLines(r.stdout);
    expect(ticks).toHaveLength(1);
    expect(ticks[0]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [previous] });
    expect(ticks[0]!.opened).toMatch(/^\d{12}$/);

    const book = bookOf(sim, ws.account);
    expect(book.map((t) => [t.tradeId, t.state])).toEqual([
      [previous, 'closed'],
      [ticks[0]!.opened, 'open'],
    ]);
    expect((await expectStoreMatchesBooks(sim, ws, env)).tracked).toEqual([ticks[0]!.opened]);
  });

  it('SIGTERM during start-up (before the first tick): exit 0, no order sent', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 12 });
    const ws = makeWorkspace('run-sigterm-startup');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: EVERY_SECOND });
    // A slow server keeps the start-up (session, look for orphans) in flight when the signal comes.
    sim.setFaults({ delayMs: 700 });
    let r;
    try {
      const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 10_000 });
      await proc.waitForStdout((out) => jsonLines(out).some((l) => l.msg === 'signal-bridge running'), 'the start line');
      proc.kill('SIGTERM');
      r = await proc.exited;
    } finally {
      sim.setFaults({ delayMs: 0 });
    }
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(bookOf(sim, ws.account)).toEqual([]);
    expect((await expectStoreMatchesBooks(sim, ws, env)).tracked).toEqual([]);
  });
});
