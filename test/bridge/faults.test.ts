/**
 * Every fault issue 5 names, injected precisely with the simulator's injectFault, against the bridge wired as the
 * CLI wires it (make-bridge). Each case ends with the store and the server agreeing (nothing in doubt; the trades
 * the store tracks are exactly the trades live on the account), the right number of requests (never an order or a
 * close sent blindly twice), and the process alive (a tick resolves, it never throws).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/algogene/auth-error.js';
import { RateLimitError } from '../../src/algogene/rate-limit-error.js';
import { TransportError } from '../../src/algogene/transport-error.js';
import { type FaultKind, type Simulator, startSimulator } from '../../src/sim/index.js';
import { StoreError } from '../../src/store/store-error.js';
import type { Strategy, StrategyAnswer } from '../../src/strategy/types.js';
import { expectAgreement } from '../helpers/ledger.js';
import type { CapturedLog } from '../helpers/capture-log.js';
import { afterCall, answerAfter, fixedStrategy, makeBridge, type TestBridge } from '../helpers/make-bridge.js';

const HTTP_TIMEOUT_MS = 300;
/** The simulator acts at once or never (unless a test delays it), so a short settle time is enough here. */
const SETTLE_MS = 600;
/**
 * The bridge's clock runs this far ahead of the wall clock: a test lets a settle window pass by moving it on, not by
 * sleeping through it. The simulator keeps real time; nothing it does depends on the bridge's clock.
 */
let skewMs = 0;
const bridgeClock = () => Date.now() + skewMs;
function passSettleWindow(): void {
  skewMs += SETTLE_MS + 50;
}

let sim: Simulator;
let pendingSim: Simulator;
let t: TestBridge | undefined;
let account = '';
let on: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: 31 });
  // Orders stay pending (not filled) for a minute.
  pendingSim = await startSimulator({ fillDelayS: 60, seed: 32 });
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  skewMs = 0;
  sim.setFaults({ delayMs: 0, failRate: 0 });
});
afterAll(async () => {
  await sim.close();
  await pendingSim.close();
});

let accounts = 0;
async function bridgeOn(target: Simulator, strategy: Strategy | ((logs: CapturedLog) => Strategy), options: { settleMs?: number; env?: Record<string, string> } = {}): Promise<TestBridge> {
  on = target;
  account = `faults-${process.pid}-${(accounts += 1)}`;
  t = await makeBridge({
    env: {
      ALGOGENE_BASE_URL: target.url,
      ALGOGENE_USER: 'demo',
      ALGOGENE_API_KEY: 'demo-key',
      ALGOGENE_ACCOUNT_ID: account,
      BRIDGE_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
      ...options.env,
    },
    strategy,
    settleMs: options.settleMs ?? SETTLE_MS,
    now: bridgeClock,
  });
  return t;
}

const signals = (...answers: StrategyAnswer[]) => fixedStrategy(...answers);
/** This test's account on the simulator in use. */
const book = () => on.books().filter((x) => x.accountid === account);
/** Requests per path since the call, from the simulator's own count. */
function requestsSince(): (path: string) => number {
  const before = { ...on.requests().byPath };
  return (path) => (on.requests().byPath[path] ?? 0) - (before[path] ?? 0);
}
async function agree(): Promise<string[]> {
  return expectAgreement(book(), await t!.load());
}

const UNKNOWN_OUTCOME: FaultKind[] = ['500', '502', 'reset', 'timeout', 'truncated'];

describe('open_order meets a fault', () => {
  it.each(UNKNOWN_OUTCOME)('%s after the server acted: the order is found by its orderRef and tracked; one open_order request', async (kind) => {
    await bridgeOn(sim, signals('BUY', null));
    const calls = requestsSince();
    sim.injectFault({ path: '/open_order', kind, phase: 'after' });

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(book()).toHaveLength(1);
    expect(r.opened).toBe(book()[0]!.tradeId);
    expect(calls('/open_order')).toBe(1);
    expect(t!.logs.find('adopted the trade of an order whose reply was lost')).toHaveLength(1);
    expect(await agree()).toEqual([r.opened]);

    // The adopted trade is managed like any other: the next tick closes it.
    expect((await t!.tick()).closed).toEqual([{ tradeId: r.opened, outcome: 'closing' }]);
    expect(await agree()).toEqual([]);
    expect(calls('/open_order')).toBe(1);
  });

  it.each(UNKNOWN_OUTCOME)('%s before the server acted: nothing is resent; the intent is dropped once settled; the next signal opens once', async (kind) => {
    await bridgeOn(sim, signals('BUY', 'BUY'));
    const calls = requestsSince();
    sim.injectFault({ path: '/open_order', kind, phase: 'before' });

    const first = await t!.tick();

    expect(first.ok).toBe(false);
    expect(first.error).toBeInstanceOf(TransportError);
    expect(book()).toEqual([]);
    // In doubt for now: the order may still be on its way, so it is neither dropped nor sent again.
    expect((await t!.load()).intents).toHaveLength(1);
    expect(calls('/open_order')).toBe(1);

    passSettleWindow();
    const second = await t!.tick();
    expect(second.ok, second.error?.message).toBe(true);
    expect(t!.logs.find('order never reached the server: intent dropped')).toHaveLength(1);
    expect(calls('/open_order')).toBe(2);
    expect(book().map((x) => x.tradeId)).toEqual([second.opened]);
    expect(await agree()).toEqual([second.opened]);
  });

  it('a timeout before the server acted, and the server acts late: never resent while in doubt, adopted when it appears', async () => {
    await bridgeOn(sim, signals('BUY', 'BUY'), { settleMs: 10_000 });
    await t!.tokens.get();
    const calls = requestsSince();
    // The order reaches the server, which holds it for 1.5 s, long after the client gave up (300 ms).
    sim.setFaults({ delayMs: 1_500 });
    const first = t!.tick();
    await vi.waitFor(() => expect(calls('/open_order')).toBe(1), { timeout: 2_000, interval: 5 });
    sim.setFaults({ delayMs: 0 });
    const r1 = await first;
    expect(r1.ok).toBe(false);
    expect(book()).toEqual([]);

    // A fast schedule ticks again before the server has acted: the order is still in doubt.
    const r2 = await t!.tick();
    expect(r2.ok).toBe(false);
    expect(r2.error?.message).toMatch(/not settled/);
    expect(calls('/open_order')).toBe(1);

    await vi.waitFor(() => expect(book()).toHaveLength(1), { timeout: 3_000, interval: 20 });
    const r3 = await t!.tick();
    expect(r3.ok, r3.error?.message).toBe(true);
    expect(t!.logs.find('adopted the trade of an order whose reply was lost')).toHaveLength(1);
    // Adopted, then the BUY signal (policy reopen) closed it and opened the next: two orders, each once.
    expect(calls('/open_order')).toBe(2);
    expect(new Set(book().map((x) => x.orderRef)).size).toBe(2);
    expect(await agree()).toEqual([r3.opened]);
  });

  it('429 on open_order (a limiter refusing before acting): never resent while in doubt; the intent is dropped once settled; the next signal opens once', async () => {
    await bridgeOn(sim, signals('BUY', 'BUY'));
    const calls = requestsSince();
    sim.injectFault({ path: '/open_order', kind: '429' });

    const first = await t!.tick();

    expect(first.ok).toBe(false);
    expect(first.error).toBeInstanceOf(RateLimitError);
    expect(calls('/open_order')).toBe(1);
    expect(book()).toEqual([]);
    expect((await t!.load()).intents).toHaveLength(1);

    passSettleWindow();
    const second = await t!.tick();
    expect(second.ok, second.error?.message).toBe(true);
    expect(calls('/open_order')).toBe(2);
    expect(await agree()).toEqual([second.opened]);
  });

  it('429 after the server acted: the order is found by its orderRef and tracked; one open_order request', async () => {
    await bridgeOn(sim, signals('BUY'));
    const calls = requestsSince();
    sim.injectFault({ path: '/open_order', kind: '429-after' });

    const first = await t!.tick();

    expect(first.ok, first.error?.message).toBe(true);
    expect(calls('/open_order')).toBe(1);
    expect(book()).toHaveLength(1);
    expect(await agree()).toEqual([first.opened]);
  });

  it('429 after acting, and the look-up by orderRef fails (500): the intent is kept, nothing is resent, the next tick adopts the trade (issue 10 #1)', async () => {
    await bridgeOn(sim, signals('BUY', 'BUY'));
    const calls = requestsSince();
    sim.injectFault({ path: '/open_order', kind: '429-after' });
    for (let i = 0; i < 3; i += 1) sim.injectFault({ path: '/pending_trades', kind: '500' });

    const first = await t!.tick();

    expect(first.ok).toBe(false);
    expect(book()).toHaveLength(1);
    expect((await t!.load()).intents).toHaveLength(1);

    const placed = book()[0]!.tradeId;
    const second = await t!.tick();
    expect(t!.logs.find('adopted the trade of an order whose reply was lost')).toMatchObject([{ tradeId: placed }]);
    // Adopted, then managed like any other: the BUY closes it and opens one new order.
    expect(second.ok, second.error?.message).toBe(true);
    expect(second.closed).toEqual([{ tradeId: placed, outcome: 'closing' }]);
    expect(calls('/open_order')).toBe(2);
    expect(await agree()).toEqual([second.opened]);
  });
});

describe('queries meet a fault', () => {
  it('429 with Retry-After on the query of the tracked trade: waited as told and asked again; the tick closes and opens', async () => {
    await bridgeOn(sim, signals('BUY', 'SELL'));
    const opened = (await t!.tick()).opened!;
    const calls = requestsSince();
    sim.injectFault({ path: '/opened_trades', kind: '429' });

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(r.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    const retried = t!.logs.lines().filter((l) => l.msg === 'api call' && l.endpoint === '/opened_trades' && l.attempts === 2);
    expect(retried).toHaveLength(1);
    expect(calls('/close_orders')).toBe(1);
    expect(await agree()).toEqual([r.opened]);
  });

  it.each(['500', '502', 'reset', 'timeout', 'truncated'] as FaultKind[])('%s on a look-up: retried (reads only); the tick goes on', async (kind) => {
    await bridgeOn(sim, signals('BUY', null));
    const opened = (await t!.tick()).opened!;
    sim.injectFault({ path: '/opened_trades', kind, phase: 'before' });

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(r.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(await agree()).toEqual([]);
  });
});

describe('the session token', () => {
  it('401 mid-tick (the token dies after the query, while the strategy thinks): the close renews once and retries once; one close, one open', async () => {
    const strategy = (logs: CapturedLog): Strategy => ({
      name: 'expires-tokens',
      async decide(ctx) {
        if (ctx.tracked === null) return 'BUY';
        await afterCall(logs, '/opened_trades', 1);
        sim.expireTokens();
        return 'SELL';
      },
    });
    await bridgeOn(sim, strategy);
    const first = (await t!.tick()).opened!;
    const calls = requestsSince();

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(r.closed).toEqual([{ tradeId: first, outcome: 'closing' }]);
    expect(t!.logs.find('token refused: renewing once and retrying once')).toMatchObject([{ endpoint: '/close_orders' }]);
    expect(calls('/session')).toBe(1);
    // The refused close was not acted on (the token is checked before anything); the retry closed it.
    expect(calls('/close_orders')).toBe(2);
    expect(calls('/open_order')).toBe(1);
    expect(book().map((x) => [x.tradeId, x.state])).toEqual([
      [first, 'closed'],
      [r.opened, 'open'],
    ]);
    expect(await agree()).toEqual([r.opened]);
  });

  it('a token that expires between ticks: every call of the next tick meets a 401, they share one renewal, and the tick trades', async () => {
    await bridgeOn(sim, signals('BUY'));
    const first = (await t!.tick()).opened!;
    sim.expireTokens();
    const calls = requestsSince();

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(r.closed).toEqual([{ tradeId: first, outcome: 'closing' }]);
    expect(calls('/session')).toBe(1);
    expect(calls('/open_order')).toBe(1);
    expect(await agree()).toEqual([r.opened]);
  });

  it('a key the server refuses: 401, one renewal attempt, the tick fails; nothing sent, nothing in doubt', async () => {
    await bridgeOn(sim, signals('BUY'), { env: { ALGOGENE_API_KEY: 'not-the-key' } });
    const r = await t!.tick();
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(AuthError);
    expect(book()).toEqual([]);
    expect(await t!.load()).toMatchObject({ trades: [], intents: [] });
  });
});

describe('closes', () => {
  it.each(UNKNOWN_OUTCOME)('a close whose reply was lost (%s after acting) is confirmed by querying, not resent: one close_orders request', async (kind) => {
    await bridgeOn(sim, signals('BUY', null));
    const opened = (await t!.tick()).opened!;
    const calls = requestsSince();
    sim.injectFault({ path: '/close_orders', kind, phase: 'after' });

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(r.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(calls('/close_orders')).toBe(1);
    expect(book().map((x) => x.state)).toEqual(['closed']);
    expect(await agree()).toEqual([]);
    // The next tick's look-up confirms the close: forgotten, not sent again.
    expect((await t!.tick()).closed).toEqual([]);
    expect((await t!.load()).trades).toEqual([]);
    expect(calls('/close_orders')).toBe(1);
  });

  it.each(UNKNOWN_OUTCOME)('a close lost before acting (%s): "closing" (it may have been submitted); still open after the grace period, it is sent again once', async (kind) => {
    await bridgeOn(sim, signals('BUY', null));
    const opened = (await t!.tick()).opened!;
    const calls = requestsSince();
    sim.injectFault({ path: '/close_orders', kind, phase: 'before' });

    const r = await t!.tick();

    expect(r.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(calls('/close_orders')).toBe(1);
    expect(book().map((x) => x.state)).toEqual(['open']);
    expect(await agree()).toEqual([]);
    passSettleWindow();
    const next = await t!.tick();
    expect(next.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(calls('/close_orders')).toBe(2);
    expect((await t!.tick()).closed).toEqual([]);
    expect((await t!.load()).trades).toEqual([]);
    expect(book().map((x) => x.state)).toEqual(['closed']);
  });

  it('a tracked trade still pending (not filled) is cancelled with cancel_orders, not closed', async () => {
    await bridgeOn(pendingSim, (logs) => {
      let ticks = 0;
      const later = answerAfter('/pending_trades', null)(logs);
      return { name: 'buy-then-nothing', decide: (ctx) => (++ticks === 1 ? 'BUY' : later.decide(ctx)) };
    });
    const opened = (await t!.tick()).opened!;
    expect(book().map((x) => x.state)).toEqual(['pending']);
    expect(await agree()).toEqual([opened]);
    const calls = requestsSince();

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(r.closed).toEqual([{ tradeId: opened, outcome: 'cancelled' }]);
    expect(calls('/cancel_orders')).toBe(1);
    expect(calls('/close_orders')).toBe(0);
    expect(book().map((x) => x.state)).toEqual(['cancelled']);
    expect(await agree()).toEqual([]);
  });

  it('a pending trade and a strategy that answers before the query: the close is refused, a fresh look-up cancels it once', async () => {
    await bridgeOn(pendingSim, signals('BUY', null));
    const opened = (await t!.tick()).opened!;
    const calls = requestsSince();

    const r = await t!.tick();

    expect(r.ok, r.error?.message).toBe(true);
    expect(r.closed).toEqual([{ tradeId: opened, outcome: 'cancelled' }]);
    expect(calls('/cancel_orders')).toBe(1);
    // At most the one close the store's belief ("open") led to, refused by the server (not found as open).
    expect(calls('/close_orders')).toBeLessThanOrEqual(1);
    expect(book().map((x) => x.state)).toEqual(['cancelled']);
    expect(await agree()).toEqual([]);
  });
});

describe('the store is unreachable: fail closed', () => {
  it('the intent cannot be written: no order is sent; once the store is back the next tick trades', async () => {
    await bridgeOn(sim, signals('BUY'));
    const calls = requestsSince();
    const set = vi.spyOn(t!.store.states, 'put').mockRejectedValue(new Error('SQLITE_CANTOPEN: unable to open database file'));

    const r = await t!.tick();

    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(StoreError);
    expect(calls('/open_order')).toBe(0);
    expect(book()).toEqual([]);

    set.mockRestore();
    const next = await t!.tick();
    expect(next.ok, next.error?.message).toBe(true);
    expect(calls('/open_order')).toBe(1);
    expect(await agree()).toEqual([next.opened]);
  });

  it('the store cannot be read: the tick fails before any trading call', async () => {
    await bridgeOn(sim, signals('BUY'));
    const calls = requestsSince();
    const get = vi.spyOn(t!.store.states, 'get').mockRejectedValue(new Error('ECONNREFUSED'));

    const r = await t!.tick();

    get.mockRestore();
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(StoreError);
    expect(calls('/open_order') + calls('/close_orders') + calls('/opened_trades')).toBe(0);
    expect(await agree()).toEqual([]);
  });

  it('the trade ID cannot be recorded after the order was placed: the intent written before it finds the trade on the next tick', async () => {
    await bridgeOn(sim, signals('BUY', null));
    const calls = requestsSince();
    const realSet = t!.store.states.put.bind(t!.store.states);
    let writes = 0;
    // The first write (the intent) works; the second (the trade ID) fails.
    const set = vi.spyOn(t!.store.states, 'put').mockImplementation(async (...args: Parameters<typeof realSet>) => {
      writes += 1;
      if (writes === 2) throw new Error('disk full');
      return realSet(...args);
    });

    const r = await t!.tick();

    set.mockRestore();
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(StoreError);
    expect(book()).toHaveLength(1);
    expect((await t!.load()).intents).toHaveLength(1);

    const next = await t!.tick();
    expect(next.ok, next.error?.message).toBe(true);
    expect(t!.logs.find('adopted the trade of an order whose reply was lost')).toHaveLength(1);
    expect(next.closed).toEqual([{ tradeId: book()[0]!.tradeId, outcome: 'closing' }]);
    expect(calls('/open_order')).toBe(1);
    expect(await agree()).toEqual([]);
  });
});

describe('close after a crash that left an order in doubt', () => {
  it('closeAll settles the intent first: an order found on the server is adopted and closed', async () => {
    await bridgeOn(sim, signals('BUY'));
    const calls = requestsSince();
    // The process died after sending the order and before recording its trade ID: the same state on disk.
    sim.setFaults({ failRate: 0 });
    sim.injectFault({ path: '/open_order', kind: 'reset', phase: 'after' });
    vi.spyOn(t!.client, 'openedTrades').mockRejectedValueOnce(new TransportError('/opened_trades', 'network', 'connection failed (ECONNRESET)'));
    const r = await t!.tick();
    vi.restoreAllMocks();
    expect(r.ok).toBe(false);
    expect((await t!.load()).intents).toHaveLength(1);
    expect(book().map((x) => x.state)).toEqual(['open']);

    const report = await t!.bridge.closeAll();

    expect(report).toEqual([{ tradeId: book()[0]!.tradeId, outcome: 'closed' }]);
    expect(calls('/open_order')).toBe(1);
    expect(book().map((x) => x.state)).toEqual(['closed']);
    expect(await agree()).toEqual([]);
  });

  it('closeAll with an intent whose order never arrived: looks again once it is settled, then drops it', async () => {
    await bridgeOn(sim, signals('BUY'));
    sim.injectFault({ path: '/open_order', kind: 'reset', phase: 'before' });
    expect((await t!.tick()).ok).toBe(false);
    expect((await t!.load()).intents).toHaveLength(1);

    const report = await t!.bridge.closeAll();

    expect(report, JSON.stringify(report)).toEqual([]);
    expect(t!.logs.find('order never reached the server: intent dropped')).toHaveLength(1);
    expect(book()).toEqual([]);
    expect(await agree()).toEqual([]);
  });
});
