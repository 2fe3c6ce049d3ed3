/**
 * A market order whose reply was lost and that stays unfilled past the settle window is listed nowhere (ALGOGENE
 * lists only limit and stop orders as pending), so its intent is dropped. The order can still fill afterwards:
 * the bridge watches for it and adopts its trade, or it would stay open on the account, untracked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { openSimBridge, removeTempDirs, simEnv, type SimBridge } from '../helpers/sim-runtime.js';

const FILL_DELAY_S = 1.5;

let sim: Simulator;
let rt: SimBridge | undefined;
beforeAll(async () => {
  sim = await startSimulator({ seed: 41, fillDelayS: FILL_DELAY_S, pendingMarketOrders: 'unlisted' });
});
afterAll(async () => {
  await rt?.close();
  await sim.close();
  removeTempDirs();
});

describe('an order given up on that fills later', () => {
  it('is adopted when it turns up, then closed like any tracked trade: nothing left open on the account', async () => {
    let clock = Date.now();
    const settleMs = 5_000;
    rt = await openSimBridge(simEnv(sim, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_POLICY: 'hold' }), { now: () => clock, settleMs });
    const account = rt.config.bridges[0]!.accountId;

    // The order is placed, its reply lost; unfilled, it is in neither list: the intent waits.
    sim.injectFault({ path: '/open_order', kind: 'reset', phase: 'after' });
    const first = await rt.bridge.tick(new Date(clock));
    expect(first.opened).toBeUndefined();
    expect((await rt.load()).intents).toHaveLength(1);

    // Past the settle window, still listed nowhere: the intent is dropped (the tick goes on and opens anew), and
    // the dropped order is watched for.
    clock += settleMs + 1_000;
    const second = await rt.bridge.tick(new Date(clock));
    expect(second.ok, second.error?.message).toBe(true);
    expect((await rt.load()).intents).toEqual([]);
    expect((await rt.load()).lapsed).toHaveLength(1);
    expect(rt.logs.find('order never reached the server: intent dropped')).toHaveLength(1);

    // It fills after all: the next tick adopts it. Every trade on the account is tracked.
    await sleep(FILL_DELAY_S * 1000 + 300);
    clock += 60_000;
    const third = await rt.bridge.tick(new Date(clock));
    expect(third.ok, third.error?.message).toBe(true);
    const doc = await rt.load();
    expect(doc.lapsed).toEqual([]);
    const book = sim.books().filter((t) => t.accountid === account);
    expect(book).toHaveLength(2);
    expect(doc.trades.map((t) => t.tradeId).sort()).toEqual(book.map((t) => String(t.tradeId)).sort());
    expect(rt.logs.find('adopted the trade of an order whose reply was lost (it filled after it was given up)')).toHaveLength(1);

    const report = await rt.bridge.closeAll();
    expect(report.filter((r) => r.outcome === 'failed')).toEqual([]);
    expect(sim.books().filter((t) => t.accountid === account).map((t) => t.state)).toEqual(['closed', 'closed']);
  });
});
