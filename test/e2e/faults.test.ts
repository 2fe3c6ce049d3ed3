/**
 * Faults on /open_order: a 500, a connection reset, a truncated JSON reply. Before the server acted: the tick
 * fails, nothing is tracked, nothing is open, and no second order goes out until the lost one is settled. After it
 * acted (the order exists, the reply is lost): the bridge finds the order by its orderRef and tracks it; never a
 * blind second order. The process never crashes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultKind, Simulator } from '../../src/sim/index.js';
import { bookOf, bridgeEnv, expectStoreMatchesBooks, jsonLines, killStrays, ownSim, liveOf, makeWorkspace, removeWorkspaces, runCli, tickLines } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

const KINDS: FaultKind[] = ['500', 'reset', 'truncated'];

/** The orderRefs the open_order calls of this workspace's account carried, as the server recorded them. */
const orderRefs = (sim: Simulator, account: string) => bookOf(sim, account).map((t) => t.orderRef);

describe.concurrent('a fault on /open_order before the server acted', () => {
  it.for(KINDS)('%s: once exits 1, no order exists, nothing is tracked; later ticks never send a second order, and publish once it is settled', async (kind, ctx) => {
    const sim = await ownSim(ctx, { seed: 16 });
    const ws = makeWorkspace(`fault-before-${kind}`);
    // A short HTTP timeout keeps short the time a lost order may still take to appear on the server.
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_HTTP_TIMEOUT_MS: '1000' });
    sim.injectFault({ path: '/open_order', kind, phase: 'before' });
    const r = await runCli(['once'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const [tick] = tickLines(r.stdout);
    expect(tick).toMatchObject({ msg: 'tick failed', signal: 'BUY' });
    expect(tick!.opened).toBeUndefined();
    expect(bookOf(sim, ws.account)).toEqual([]);
    const { status } = await expectStoreMatchesBooks(sim, ws, env);
    expect(status.tracked).toEqual([]);

    // The following ticks look the lost order up by its orderRef. While it might still appear they may refuse to
    // send a new one; at no point are there two orders. Once settled (it never arrived), the signal is published once.
    const deadline = Date.now() + 30_000;
    let next;
    for (;;) {
      next = await runCli(['once'], { env, cwd: ws.dir });
      if (next.code === 0) break;
      expect(next.code, next.stdout + next.stderr).toBe(1);
      expect(tickLines(next.stdout)[0]).toMatchObject({ msg: 'tick failed' });
      expect(bookOf(sim, ws.account), 'an order was sent while the lost one was unsettled').toEqual([]);
      expect(Date.now(), 'the lost order was never settled').toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const [nextTick] = tickLines(next.stdout);
    expect(nextTick).toMatchObject({ msg: 'tick', signal: 'BUY' });
    expect(bookOf(sim, ws.account).map((t) => [t.tradeId, t.state])).toEqual([[nextTick!.opened, 'open']]);
    const settled = await expectStoreMatchesBooks(sim, ws, env);
    expect(settled.tracked).toEqual([nextTick!.opened]);
    expect(settled.status.pendingIntents).toBe(0);
  });
});

describe.concurrent('a fault on /open_order after the server acted (the reply is lost)', () => {
  it.for(KINDS)('%s: the order is found by its orderRef and tracked; exactly one order on the server', async (kind, ctx) => {
    const sim = await ownSim(ctx, { seed: 16 });
    const ws = makeWorkspace(`fault-after-${kind}`);
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY' });
    const openCalls = sim.requests().byPath['/open_order'] ?? 0;
    sim.injectFault({ path: '/open_order', kind, phase: 'after' });
    const r = await runCli(['once'], { env, cwd: ws.dir });
    // The order the signal asked for is on the account and tracked: the tick did what was asked.
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonLines(r.stdout).some((l) => /adopted/.test(String(l.msg)))).toBe(true);
    // Never a blind retry: one open_order request, one order.
    expect((sim.requests().byPath['/open_order'] ?? 0) - openCalls).toBe(1);
    const book = bookOf(sim, ws.account);
    expect(book).toHaveLength(1);
    expect(book[0]!.state).toBe('open');
    const { status, tracked } = await expectStoreMatchesBooks(sim, ws, env);
    expect(tracked).toEqual([book[0]!.tradeId]);
    expect(status.tracked[0]!.trade.orderRef).toBe(book[0]!.orderRef);
    expect(status.pendingIntents).toBe(0);

    // And the adopted trade is managed like any other: the next tick closes it.
    const next = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'NONE' }, cwd: ws.dir });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(tickLines(next.stdout)[0]).toMatchObject({ msg: 'tick', closed: [book[0]!.tradeId] });
    expect(liveOf(sim, ws.account)).toEqual([]);
    expect(orderRefs(sim, ws.account)).toHaveLength(1);
  });
});

describe.concurrent('faults in a running daemon', () => {
  it('run --ticks 4 with a reset and a truncated reply (after acting) and a 500 (before) on /open_order: exit 0, every tick happens, no order doubled', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 16 });
    const ws = makeWorkspace('fault-run');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: '* * * * * *' });
    // One fault for each of the first three open_order calls, in order.
    sim.injectFault({ path: '/open_order', kind: 'reset', phase: 'after' });
    sim.injectFault({ path: '/open_order', kind: 'truncated', phase: 'after' });
    sim.injectFault({ path: '/open_order', kind: '500', phase: 'before' });
    const r = await runCli(['run', '--ticks', '4'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/uncaught|unhandled/i);
    expect(jsonLines(r.stdout).some((l) => l.msg === 'signal-bridge stopped')).toBe(true);

    const ticks = tickLines(r.stdout);
    expect(ticks).toHaveLength(4);
    // 1: reset after acting -> the order is found by its orderRef and tracked.
    expect(ticks[0]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [] });
    expect(ticks[0]!.opened).toMatch(/^\d{12}$/);
    // 2: closes it; the new order's reply is truncated after acting -> found and tracked too.
    expect(ticks[1]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [ticks[0]!.opened] });
    expect(ticks[1]!.opened).toMatch(/^\d{12}$/);
    // 3: closes it; the open meets a 500 before acting -> the tick fails, nothing placed.
    expect(ticks[2]).toMatchObject({ msg: 'tick failed', signal: 'BUY', closed: [ticks[1]!.opened] });
    expect(ticks[2]!.opened).toBeUndefined();
    // 4: happens (whether it publishes or still waits for the lost order to settle).

    // Every open_order request but the one refused before acting made exactly one order; each orderRef once.
    const book = bookOf(sim, ws.account);
    expect(sim.requests().byPath['/open_order']).toBe(book.length + 1);
    expect(new Set(book.map((t) => t.orderRef)).size).toBe(book.length);
    expect(book.slice(0, 2).map((t) => [t.tradeId, t.state])).toEqual([
      [ticks[0]!.opened, 'closed'],
      [ticks[1]!.opened, 'closed'],
    ]);
    const { tracked } = await expectStoreMatchesBooks(sim, ws, env);
    expect(tracked).toEqual(ticks[3]!.opened ? [ticks[3]!.opened] : []);
  });
});
