/**
 * Issue 10's stalled holder, over many rounds, on SQLite and on the real Redis. Each round a holder trades (the
 * random strategy, seeded) on a short lease; then its strategy blocks for longer than the lease (a strategy that
 * hangs, a VM paused, a long GC), a standby polling the same store takes the bridge over and trades, and the holder
 * wakes mid-tick with its old view. The next round the standby is the holder and a new standby waits.
 *
 * Every order, close and cancel that reaches the simulator is recorded with the "process" that sent it (each
 * process has its own client, lease and store connection; a wrapper under the bridge records what it really sent,
 * and the count is checked against the simulator's own log). Asserted: the writers, in the order the simulator
 * received them, form one block per process, oldest first (at most one process acting at any moment, none acting
 * again once another did); a stalled holder sends nothing after it wakes and stops; at the end 0 trades lost and
 * 0 doubled on the simulator's books.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type AlgogeneClient } from '../../src/algogene/create-client.js';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { createSessionTokens } from '../../src/algogene/session-tokens.js';
import { createBridge, type Bridge } from '../../src/bridge/create-bridge.js';
import { LeaseLostError } from '../../src/bridge/lease-lost-error.js';
import { loadConfig } from '../../src/config.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { createBridgeLease, leaseKey, type BridgeLease } from '../../src/store/bridge-lease.js';
import { createBridgeState } from '../../src/store/bridge-state.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import { FenceError } from '../../src/store/fence-error.js';
import type { Strategy } from '../../src/strategy/types.js';
import { captureLog } from '../helpers/capture-log.js';
import { expectNothingLostOrDoubled, ledgerOf } from '../helpers/ledger.js';
import { between, seededRng } from '../helpers/seeded-rng.js';

const ROUNDS = Number(process.env.CHAOS_STALL_ROUNDS ?? 10);
const SEED = Number(process.env.CHAOS_SEED ?? 10_010);
const TTL_MS = 1_500;
const WRITES = ['/open_order', '/close_orders', '/cancel_orders'];

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: SEED, delayMs: 5 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-stall-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  readonly proc: number;
  readonly path: string;
  readonly at: number;
}

interface Proc {
  readonly n: number;
  readonly bridge: Bridge;
  readonly lease: BridgeLease;
  readonly store: Store;
  readonly http: Http;
  /** Set by the round: the next decision blocks this long (the stall). */
  stallMs: number;
  /** When its stall ended (it woke up): nothing may reach the server from it after this. */
  wokeAt?: number;
  retired?: Error;
  ticks: number;
}

describe.each([
  { name: 'sqlite', url: () => `sqlite://${path.join(dir, 'stall.sqlite')}` },
  { name: 'redis', url: () => 'redis://127.0.0.1:6379' },
])('a stalled holder and a standby on $name', ({ name, url }) => {
  it(`${ROUNDS} rounds of stall and take-over: one process acting at a time, the stalled one stops, 0 lost, 0 doubled`, async () => {
    const bridgeId = `stall${randomUUID().slice(0, 6)}`;
    const account = `stall-${name}-${bridgeId}`;
    const rng = seededRng(SEED);
    const sent: Sent[] = [];
    const procs: Proc[] = [];
    const simWritesBefore = WRITES.reduce((n, p) => n + (sim.requests().byPath[p] ?? 0), 0);

    async function start(n: number): Promise<Proc> {
      const config = loadConfig({
        ALGOGENE_BASE_URL: sim.url,
        ALGOGENE_USER: 'demo',
        ALGOGENE_API_KEY: 'demo-key',
        ALGOGENE_ACCOUNT_ID: account,
        BRIDGE_ID: bridgeId,
        BRIDGE_STORE: url(),
        BRIDGE_HTTP_TIMEOUT_MS: '1000',
        BRIDGE_STRATEGY_TIMEOUT_MS: '10000',
        BRIDGE_STRATEGY: 'random',
        BRIDGE_INSTRUMENT: 'BTCUSD',
      });
      const bc = config.bridges[0]!;
      const logs = captureLog({ level: 'warn' });
      // Each process its own store connection, agent and session, as two processes would have.
      const store = await createStore(url());
      const http = createHttp({ baseUrl: config.baseUrl, timeoutMs: config.httpTimeoutMs, maxSockets: 4 });
      const log = logs.log.child({ bridge: bridgeId, proc: n });
      const tokens = createSessionTokens({ http, log, secrets: logs.secrets, user: bc.user, apiKey: bc.apiKey });
      const raw = createClient({ http, log, tokens, account: { user: bc.user, apiKey: bc.apiKey, accountId: bc.accountId, runmode: bc.runmode } });
      // What this process really sends, recorded under the bridge (after its own lease checks).
      const record = <A extends unknown[], R>(p: string, send: (...args: A) => Promise<R>) => async (...args: A) => {
        sent.push({ proc: n, path: p, at: Date.now() });
        return send(...args);
      };
      const client: AlgogeneClient = {
        ...raw,
        openOrder: record('/open_order', (o) => raw.openOrder(o)),
        closeOrders: record('/close_orders', (ids) => raw.closeOrders(ids)),
        cancelOrders: record('/cancel_orders', (ids) => raw.cancelOrders(ids)),
      };
      const lease = createBridgeLease({ store, bridgeId, ttlMs: TTL_MS, me: { host: os.hostname(), pid: process.pid, instance: randomUUID() }, isAlive: () => true });
      const proc: Proc = { n, lease, store, http, stallMs: 0, ticks: 0, bridge: undefined as unknown as Bridge };
      const strategy: Strategy = {
        name: 'random-stalling',
        async decide() {
          const side = rng() < 0.45 ? 'BUY' : rng() < 0.8 ? 'SELL' : null;
          if (proc.stallMs > 0) {
            const ms = proc.stallMs;
            proc.stallMs = 0;
            await sleep(ms);
            proc.wokeAt = Date.now();
          }
          return side;
        },
      };
      (proc as { bridge: Bridge }).bridge = createBridge({ config: bc, client, state: createBridgeState(store, bridgeId, lease), strategy, log, settleMs: 1_500, lease });
      procs.push(proc);
      return proc;
    }

    /** The run loop of one process: prefetch, tick, a short pause; stops for good once its lease is lost. */
    async function act(proc: Proc, until: () => boolean): Promise<void> {
      while (!until() && !proc.retired) {
        const at = new Date(Date.now() + 20);
        await proc.bridge.prefetch(at);
        const result = await proc.bridge.tick(at);
        proc.ticks += 1;
        if (result.error instanceof LeaseLostError || result.error instanceof FenceError) proc.retired = result.error;
        await sleep(between(rng, 20, 80));
      }
    }

    let done = false;
    let holder = await start(0);
    expect(await holder.lease.acquire()).toEqual({ ok: true });
    await holder.bridge.startup();
    let holderLoop = act(holder, () => done);
    let takeovers = 0;

    for (let round = 0; round < ROUNDS; round += 1) {
      // A few ordinary ticks, then the holder's next decision blocks past its lease.
      const ticksBefore = holder.ticks;
      const target = between(rng, 2, 5);
      while (holder.ticks - ticksBefore < target) await sleep(20);
      const standby = await start(round + 1);
      holder.stallMs = TTL_MS + between(rng, 300, 900);
      // The standby polls the lease as run --standby does, and takes it once it expired.
      for (;;) {
        const got = await standby.lease.acquire();
        if (got.ok) break;
        await sleep(50);
      }
      takeovers += 1;
      await standby.bridge.startup();
      const standbyLoop = act(standby, () => done);
      // The old holder wakes, finds the bridge gone, and stops (or this round fails, rather than waits forever).
      await Promise.race([holderLoop, sleep(10 * TTL_MS)]);
      expect(holder.retired, `round ${round}: the stalled holder stopped`).toBeDefined();
      holder = standby;
      holderLoop = standbyLoop;
    }

    done = true;
    await holderLoop;
    // The last holder takes everything off the account.
    const report = await holder.bridge.closeAll();
    expect(report.filter((r) => r.outcome === 'failed')).toEqual([]);
    for (const p of procs) {
      await p.store.close();
      p.http.close();
    }

    // What the bridges sent is what the simulator received, no more, no less.
    const simWrites = WRITES.reduce((n, p) => n + (sim.requests().byPath[p] ?? 0), 0) - simWritesBefore;
    expect(sent.length).toBe(simWrites);
    // One block per process, in the order they held the bridge: once a process has sent, no earlier one sends again.
    const order = sent.map((s) => s.proc);
    const blocks = order.filter((p, i) => i === 0 || order[i - 1] !== p);
    expect(blocks, 'writers in the order the server saw them').toEqual([...blocks].sort((a, b) => a - b));
    expect(new Set(blocks).size).toBe(blocks.length);
    // A stalled holder sent nothing after it woke up.
    const late = sent.filter((s) => {
      const woke = procs[s.proc]!.wokeAt;
      return woke !== undefined && s.at >= woke;
    });
    expect(late).toEqual([]);

    const ledger = ledgerOf(sim.books().filter((t) => t.accountid === account), bridgeId);
    const retiredBy = procs.filter((p) => p.retired).map((p) => p.retired!.name);
    console.log(
      `stall chaos on ${name}: ${ROUNDS} rounds (lease ${TTL_MS} ms, stalls ${TTL_MS + 300}-${TTL_MS + 900} ms, seed ${SEED}); ${takeovers} take-overs; ` +
        `${procs.reduce((n, p) => n + p.ticks, 0)} ticks; ${sent.length} orders/closes/cancels sent, ${simWrites} received; ` +
        `stalled holders stopped: ${retiredBy.length} (${retiredBy.filter((n) => n === 'LeaseLostError').length} by a lost renewal, ${retiredBy.filter((n) => n === 'FenceError').length} by a refused write); ` +
        `sent after waking: ${late.length}; ${ledger.trades} trades, ${ledger.live.length} lost, ${ledger.doubled.length} doubled`,
    );
    expect(ledger.trades).toBeGreaterThan(0);
    expectNothingLostOrDoubled(ledger);
    if (name === 'redis') {
      const store = await createStore(url());
      const client = (await (store.backend as { client: () => Promise<unknown> }).client()) as { del(keys: string[]): Promise<number> };
      await client.del([`signal-bridge:lease:${leaseKey(bridgeId)}`, `signal-bridge:state:${bridgeId}`]);
      await store.close();
    }
  });
});
