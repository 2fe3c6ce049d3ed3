/**
 * Orphans, end to end with the BUILT CLI: a trade on the account whose orderRef carries this bridge's prefix
 * (sb.<bridgeId>.) but that the store does not track (placed by another copy, or left when the store was lost).
 * `status` shows it as ORPHAN, `run` warns about it at start-up (and leaves it alone), `close` leaves it alone,
 * `close --adopt-orphans` closes it (or cancels it while pending). A trade with any other orderRef is never touched.
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { bookOf, bridgeEnv, jsonLines, killStrays, makeWorkspace, removeWorkspaces, runCli, tickLines } from '../e2e/helpers.js';
import { placeOrder } from '../helpers/place-order.js';

const BRIDGE_ID = 'orph';
const ORPHAN_WARNING = 'orphan: a trade of this bridge on the account that the store does not track; close it with: close --adopt-orphans';

let sim: Simulator;
let pendingSim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: 61 });
  pendingSim = await startSimulator({ fillDelayS: 120, seed: 62 });
});
afterEach(() => killStrays());
afterAll(async () => {
  await sim.close();
  await pendingSim.close();
  removeWorkspaces();
});

const stateOf = (s: Simulator, account: string, tradeId: string) => bookOf(s, account).find((t) => t.tradeId === tradeId)?.state;

interface StatusJson {
  bridges: { id: string; tracked: unknown[]; pendingIntents: number; orphans: { trade: { tradeId: string; orderRef: string }; where: string }[] | { error: string } }[];
}

describe('orphans', () => {
  it('an untracked trade with our prefix: ORPHAN in status, warned at run start-up, left by close, closed by close --adopt-orphans; other prefixes never touched', async () => {
    const ws = makeWorkspace('orphans');
    const env = bridgeEnv(sim, ws, { BRIDGE_ID, BRIDGE_TEST_SIGNAL: 'NONE', BRIDGE_SCHEDULE: '* * * * * *' });
    const orphan = await placeOrder(sim, { account: ws.account, orderRef: `sb.${BRIDGE_ID}.lost1`, side: 'SELL' });
    // Not ours: a manual trade, another bridge, and a bridge whose id merely starts like ours.
    const manual = await placeOrder(sim, { account: ws.account, orderRef: 'manual trade' });
    const other = await placeOrder(sim, { account: ws.account, orderRef: 'sb.other.abc123' });
    const lookalike = await placeOrder(sim, { account: ws.account, orderRef: `sb.${BRIDGE_ID}x.abc123` });
    const untouchable = [manual, other, lookalike];

    const status = await runCli(['status'], { env, cwd: ws.dir });
    expect(status.code, status.stdout + status.stderr).toBe(0);
    const orphanLines = status.stdout.split('\n').filter((l) => l.includes('ORPHAN'));
    expect(orphanLines).toHaveLength(1);
    expect(orphanLines[0]).toContain(`ORPHAN trade ${orphan} SELL`);
    expect(orphanLines[0]).toContain(`sb.${BRIDGE_ID}.lost1`);
    expect(orphanLines[0]).toContain('close --adopt-orphans');
    for (const id of untouchable) expect(status.stdout).not.toContain(id);

    const json = await runCli(['status', '--json'], { env, cwd: ws.dir });
    const doc = JSON.parse(json.stdout) as StatusJson;
    expect(doc.bridges[0]!.tracked).toEqual([]);
    expect(doc.bridges[0]!.orphans).toMatchObject([{ trade: { tradeId: orphan, orderRef: `sb.${BRIDGE_ID}.lost1` }, where: 'open' }]);

    // run warns at start-up, and does not close on its own what it does not track.
    const run = await runCli(['run', '--ticks', '1'], { env, cwd: ws.dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const warnings = jsonLines(run.stdout).filter((l) => l.msg === ORPHAN_WARNING);
    expect(warnings).toMatchObject([{ tradeId: orphan, orderRef: `sb.${BRIDGE_ID}.lost1`, where: 'open' }]);
    const firstTick = jsonLines(run.stdout).findIndex((l) => l.msg === 'tick' || l.msg === 'tick failed');
    expect(jsonLines(run.stdout).indexOf(warnings[0]!)).toBeLessThan(firstTick);
    expect(tickLines(run.stdout)[0]).toMatchObject({ msg: 'tick', closed: [] });
    expect(stateOf(sim, ws.account, orphan)).toBe('open');

    // close without the flag: only what is tracked (nothing).
    const close = await runCli(['close'], { env, cwd: ws.dir });
    expect(close.code, close.stdout + close.stderr).toBe(0);
    expect(close.stdout).toMatch(/nothing tracked/);
    expect(stateOf(sim, ws.account, orphan)).toBe('open');

    const adopt = await runCli(['close', '--adopt-orphans'], { env, cwd: ws.dir });
    expect(adopt.code, adopt.stdout + adopt.stderr).toBe(0);
    expect(adopt.stdout).toContain(`orphan trade ${orphan} closed`);
    expect(stateOf(sim, ws.account, orphan)).toBe('closed');
    for (const id of untouchable) {
      expect(adopt.stdout).not.toContain(id);
      expect(stateOf(sim, ws.account, id)).toBe('open');
    }

    const after = JSON.parse((await runCli(['status', '--json'], { env, cwd: ws.dir })).stdout) as StatusJson;
    expect(after.bridges[0]!.orphans).toEqual([]);
  });

  it('the store was lost: the trade it tracked becomes an orphan, and close --adopt-orphans takes it off the account', async () => {
    const ws = makeWorkspace('orphans-lost-store');
    const env = bridgeEnv(sim, ws, { BRIDGE_ID, BRIDGE_TEST_SIGNAL: 'BUY' });
    const once = await runCli(['once'], { env, cwd: ws.dir });
    expect(once.code, once.stdout + once.stderr).toBe(0);
    const tradeId = tickLines(once.stdout)[0]!.opened as string;

    rmSync(ws.storeFile);

    const status = await runCli(['status'], { env, cwd: ws.dir });
    expect(status.stdout).toMatch(/no trade tracked/);
    expect(status.stdout).toContain(`ORPHAN trade ${tradeId} BUY`);
    const adopt = await runCli(['close', '--adopt-orphans'], { env, cwd: ws.dir });
    expect(adopt.code, adopt.stdout + adopt.stderr).toBe(0);
    expect(stateOf(sim, ws.account, tradeId)).toBe('closed');
  });

  it('a pending orphan (not filled yet) is cancelled, not closed', async () => {
    const ws = makeWorkspace('orphans-pending');
    const env = bridgeEnv(pendingSim, ws, { BRIDGE_ID });
    const orphan = await placeOrder(pendingSim, { account: ws.account, orderRef: `sb.${BRIDGE_ID}.pend1` });
    const doc = JSON.parse((await runCli(['status', '--json'], { env, cwd: ws.dir })).stdout) as StatusJson;
    expect(doc.bridges[0]!.orphans).toMatchObject([{ trade: { tradeId: orphan }, where: 'pending' }]);

    const closes = pendingSim.requests().byPath['/close_orders'] ?? 0;
    const adopt = await runCli(['close', '--adopt-orphans'], { env, cwd: ws.dir });
    expect(adopt.code, adopt.stdout + adopt.stderr).toBe(0);
    expect(adopt.stdout).toContain(`orphan trade ${orphan} cancelled`);
    expect(stateOf(pendingSim, ws.account, orphan)).toBe('cancelled');
    expect(pendingSim.requests().byPath['/close_orders'] ?? 0).toBe(closes);
  });
});
