/**
 * The lease rules of a running bridge, against the simulator over a real socket, on memory, sqlite and the real
 * Redis. Two bridges on one store stand for two processes:
 * - a holder whose strategy stalls past its lease while a standby takes over sends nothing once it wakes (no close,
 *   no order), its write is refused, and it stays stopped; the standby's trade and record are untouched;
 * - a store that cannot be answered is no take-over: the tick is refused and says so, nothing is sent, and once the
 *   store answers again the same bridge trades;
 * - a store that forgot (its records gone) is noticed before anything is sent, and the bridge's trades are rebuilt
 *   from the server (adopted by their orderRef prefix): the next signal closes the old trade instead of doubling it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/algogene/create-client.js';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { createSessionTokens } from '../../src/algogene/session-tokens.js';
import { createBridge, type Bridge } from '../../src/bridge/create-bridge.js';
import { LeaseLostError } from '../../src/bridge/lease-lost-error.js';
import { StoreUnreachableError } from '../../src/bridge/store-unreachable-error.js';
import { loadConfig } from '../../src/config.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { createBridgeLease, leaseKey, type BridgeLease } from '../../src/store/bridge-lease.js';
import { createBridgeState, type BridgeState } from '../../src/store/bridge-state.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import type { Strategy, StrategyAnswer } from '../../src/strategy/types.js';
import { captureLog, type CapturedLog } from '../helpers/capture-log.js';
import { expectAgreement } from '../helpers/ledger.js';

const TTL_MS = 30_000;

let sim: Simulator;
let dir: string;
const https: Http[] = [];
const stores: Store[] = [];
beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: 77 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-fenced-'));
});
afterEach(async () => {
  for (const http of https.splice(0)) http.close();
});
afterAll(async () => {
  for (const store of stores.splice(0)) await store.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Answers the next of `answers`; an answer that is a promise is awaited (a strategy that blocks until told). */
function scripted(answers: (StrategyAnswer | Promise<StrategyAnswer>)[]): Strategy {
  return { name: 'scripted', decide: () => answers.shift() ?? null };
}

interface Process {
  readonly bridge: Bridge;
  readonly lease: BridgeLease;
  readonly state: BridgeState;
  readonly logs: CapturedLog;
}

/** One "process" running bridge `bridgeId` on `store`: its own lease (on `clock`), client and log. */
async function processOn(store: Store, bridgeId: string, account: string, strategy: Strategy, clock: () => number): Promise<Process> {
  const config = loadConfig({
    ALGOGENE_BASE_URL: sim.url,
    ALGOGENE_USER: 'demo',
    ALGOGENE_API_KEY: 'demo-key',
    ALGOGENE_ACCOUNT_ID: account,
    BRIDGE_ID: bridgeId,
    BRIDGE_STORE: 'memory://',
    BRIDGE_HTTP_TIMEOUT_MS: '1000',
    BRIDGE_STRATEGY_TIMEOUT_MS: '5000',
    BRIDGE_STRATEGY: 'random',
    BRIDGE_INSTRUMENT: 'BTCUSD',
  });
  const bc = config.bridges[0]!;
  const logs = captureLog();
  const http = createHttp({ baseUrl: config.baseUrl, timeoutMs: config.httpTimeoutMs, maxSockets: 4 });
  https.push(http);
  const log = logs.log.child({ bridge: bridgeId });
  const tokens = createSessionTokens({ http, log, secrets: logs.secrets, user: bc.user, apiKey: bc.apiKey });
  const client = createClient({ http, log, tokens, account: { user: bc.user, apiKey: bc.apiKey, accountId: bc.accountId, runmode: bc.runmode } });
  const lease = createBridgeLease({ store, bridgeId, ttlMs: TTL_MS, me: { host: os.hostname(), pid: process.pid, instance: randomUUID() }, isAlive: () => true, now: clock });
  const state = createBridgeState(store, bridgeId, lease);
  const bridge = createBridge({ config: bc, client, state, strategy, log, settleMs: 1_500, lease });
  return { bridge, lease, state, logs };
}

/** The store loses everything this bridge had (a Redis restarted without persistence, a replaced file). */
async function wipe(store: Store, bridgeId: string): Promise<void> {
  const backend = store.backend;
  if (backend.kind === 'memory') {
    backend.map.delete(leaseKey(bridgeId));
    backend.map.delete(`state:${bridgeId}`);
  } else if (backend.kind === 'sqlite') {
    await backend.query('DELETE FROM signal_bridge_leases WHERE key = ?', leaseKey(bridgeId));
    await backend.query('DELETE FROM signal_bridge_state WHERE bridge = ?', bridgeId);
  } else {
    const client = (await backend.client()) as unknown as { del(keys: string[]): Promise<number> };
    await client.del([`signal-bridge:lease:${leaseKey(bridgeId)}`, `signal-bridge:state:${bridgeId}`]);
  }
}

const BACKENDS = [
  { name: 'memory', url: () => 'memory://' },
  { name: 'sqlite', url: () => `sqlite://${path.join(dir, 'fenced.sqlite')}` },
  { name: 'redis', url: () => 'redis://127.0.0.1:6379' },
];

describe.each(BACKENDS)('a running bridge and its lease on $name', ({ url }) => {
  let store: Store;
  let bridgeId: string;
  let account: string;
  const book = () => sim.books().filter((t) => t.accountid === account);
  // The tests of this file run one after another on their own simulator: every request since `since` is theirs.
  // By the request log's sequence, not the clock: on the memory store a whole tick fits in the millisecond before.
  const requestsSoFar = () => Math.max(0, ...sim.requests().log.map((e) => e.seq));
  const writesOf = (since: number) => sim.requests().log.filter((e) => e.seq > since && ['/open_order', '/close_orders', '/cancel_orders'].includes(e.path));
  beforeAll(async () => {
    store = await createStore(url());
    stores.push(store);
  });
  afterEach(async () => {
    await wipe(store, bridgeId);
  });
  const fresh = () => {
    bridgeId = `fb${randomUUID().slice(0, 6)}`;
    account = `fenced-${bridgeId}`;
  };

  it('a holder that stalls past its lease while a standby takes over sends nothing once it wakes, and stops', async () => {
    fresh();
    let clock = Date.now();
    let wake!: (answer: StrategyAnswer) => void;
    const stall = new Promise<StrategyAnswer>((resolve) => (wake = resolve));
    const holder = await processOn(store, bridgeId, account, scripted(['BUY', stall]), () => clock);
    expect(await holder.lease.acquire()).toEqual({ ok: true });
    const first = await holder.bridge.tick(new Date());
    expect(first.opened).toBeDefined();

    // The holder's next tick is inside its strategy, which blocks past the lease.
    const stallFrom = Date.now();
    const stalled = holder.bridge.tick(new Date());
    await vi.waitFor(() => expect(sim.requests().log.some((e) => e.atMs >= stallFrom && e.path === '/opened_trades')).toBe(true));
    clock += TTL_MS + 1;
    const standby = await processOn(store, bridgeId, account, scripted(['SELL']), () => clock);
    expect(await standby.lease.acquire()).toMatchObject({ ok: true, died: { epoch: 1 } });
    const taken = await standby.bridge.tick(new Date());
    expect(taken.closed).toEqual([{ tradeId: first.opened, outcome: 'closing' }]);
    expect(taken.opened).toBeDefined();

    // The holder wakes with its old view (the BUY it holds, a SELL to act on): it must neither close nor open.
    const since = requestsSoFar();
    wake('SELL');
    const woke = await stalled;
    expect(woke.ok).toBe(false);
    expect(woke.error).toBeInstanceOf(LeaseLostError);
    expect(woke.closed).toEqual([]);
    expect(woke.opened).toBeUndefined();
    expect(writesOf(since)).toEqual([]);
    expect(holder.logs.find('lease lost: this process stops acting for this bridge')).toHaveLength(1);
    // It stays stopped: a later tick is refused before anything, whatever the strategy says.
    const again = await holder.bridge.tick(new Date());
    expect(again.error).toBeInstanceOf(LeaseLostError);
    expect(writesOf(since)).toEqual([]);

    // The standby's record is whole and agrees with the server: one trade live, the one it opened.
    expect(await expectAgreement(book(), await standby.state.load())).toEqual([taken.opened]);
    expect(new Set(book().map((t) => t.orderRef)).size).toBe(book().length);
  });

  it('a store that cannot be reached is no take-over: ticks are refused and say why, then the same bridge trades again', async () => {
    fresh();
    let clock = Date.now();
    const p = await processOn(store, bridgeId, account, scripted(['BUY', 'SELL', 'SELL']), () => clock);
    expect(await p.lease.acquire()).toEqual({ ok: true });
    const opened = (await p.bridge.tick(new Date())).opened;
    expect(opened).toBeDefined();

    // The store stops answering, for longer than the lease.
    const down = new Error('connect ECONNREFUSED 127.0.0.1:6390');
    const spies = [
      vi.spyOn(store.cells, 'compareAndSet').mockRejectedValue(down),
      vi.spyOn(store.cells, 'get').mockRejectedValue(down),
      vi.spyOn(store.states, 'get').mockRejectedValue(down),
      vi.spyOn(store.states, 'put').mockRejectedValue(down),
    ];
    clock += TTL_MS + 1;
    const since = requestsSoFar();
    const refused = await p.bridge.tick(new Date());
    expect(refused.ok).toBe(false);
    expect(refused.error).toBeInstanceOf(StoreUnreachableError);
    expect(refused.error).not.toBeInstanceOf(LeaseLostError);
    expect(p.logs.lines().filter((l) => /^store unreachable since .*; not trading until it is back$/.test(String(l.msg)))).toHaveLength(1);
    expect(p.logs.find('lease lost: this process stops acting for this bridge')).toEqual([]);
    expect(writesOf(since)).toEqual([]);

    for (const spy of spies) spy.mockRestore();
    // Back, and nobody took the lease meanwhile: the same process renews it and trades.
    const back = await p.bridge.tick(new Date());
    expect(back.ok, back.error?.message).toBe(true);
    expect(back.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(p.logs.lines().filter((l) => /^store reachable again/.test(String(l.msg)))).toHaveLength(1);
    expect(await expectAgreement(book(), await p.state.load())).toEqual([back.opened]);
  });

  it('a store that forgot is noticed before anything is sent, and the bridge rebuilds its trades from the server', async () => {
    fresh();
    const p = await processOn(store, bridgeId, account, scripted(['BUY', 'SELL', 'SELL']), Date.now);
    expect(await p.lease.acquire()).toEqual({ ok: true });
    const opened = (await p.bridge.tick(new Date())).opened!;
    expect(opened).toBeDefined();

    await wipe(store, bridgeId);

    // Read now, the record is empty: the SELL would open a second trade beside the live BUY. It is refused first.
    const since = requestsSoFar();
    const noticed = await p.bridge.tick(new Date());
    expect(noticed.ok).toBe(false);
    expect(noticed.error?.name).toBe('StoreForgotError');
    expect(writesOf(since)).toEqual([]);
    expect(p.logs.find('the store lost its data: not trading until this bridge is rebuilt from the server')).toHaveLength(1);

    // The next tick rebuilds from the server (the live BUY is adopted by its orderRef), then acts on the SELL.
    const rebuilt = await p.bridge.tick(new Date());
    expect(rebuilt.ok, rebuilt.error?.message).toBe(true);
    expect(p.logs.lines().filter((l) => /^the store lost its data: rebuilt this bridge's record from the server \(1 trade\(s\) adopted\)/.test(String(l.msg)))).toHaveLength(1);
    expect(rebuilt.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(await expectAgreement(book(), await p.state.load())).toEqual([rebuilt.opened]);
    expect(book().filter((t) => t.state === 'open')).toHaveLength(1);
  });

  it('a store that forgot is noticed by the prefetch\'s renewal too: the tick rebuilds first, then trades', async () => {
    fresh();
    const p = await processOn(store, bridgeId, account, scripted(['BUY', 'SELL']), Date.now);
    expect(await p.lease.acquire()).toEqual({ ok: true });
    const opened = (await p.bridge.tick(new Date())).opened!;
    await wipe(store, bridgeId);

    const at = new Date(Date.now() + 50);
    p.bridge.prefetch(at);
    await vi.waitFor(() => expect(p.logs.find('the store lost its data: not trading until this bridge is rebuilt from the server')).toHaveLength(1));
    const tick = await p.bridge.tick(at);
    expect(tick.ok, tick.error?.message).toBe(true);
    expect(tick.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(await expectAgreement(book(), await p.state.load())).toEqual([tick.opened]);
  });
});
