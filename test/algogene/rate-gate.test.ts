/**
 * The rate limit is the user's: one bridge's refusal pauses every call of that user, prefetch
 * look-ups are shed first, and the pause is said once. Two bridges (two accounts) of one user
 * share one gate and one token, as src/cli/open-runtime.ts wires them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type AlgogeneClient } from '../../src/algogene/create-client.js';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { PausedError } from '../../src/algogene/paused-error.js';
import { createRateGate } from '../../src/algogene/rate-gate.js';
import { RateLimitError } from '../../src/algogene/rate-limit-error.js';
import { createSessionTokens } from '../../src/algogene/session-tokens.js';
import { captureLog, type CapturedLog } from '../helpers/capture-log.js';
import { API_KEY, BASE_URL, blockNetwork, fakeAlgogene, resetNetwork, tradesBody, USER, type FakeAlgogene } from '../helpers/fake-algogene.js';

describe('one user, two bridges, one rate limit', () => {
  let api: FakeAlgogene;
  let http: Http;
  let logs: CapturedLog;

  beforeEach(() => {
    blockNetwork();
    api = fakeAlgogene();
    http = createHttp({ baseUrl: BASE_URL, timeoutMs: 2_000 });
    logs = captureLog();
  });
  afterEach(() => {
    http.close();
    resetNetwork();
  });

  function twoBridges(gateOptions: { callsPerMinute?: number; maxWaitMs?: number } = {}): [AlgogeneClient, AlgogeneClient] {
    const gate = createRateGate({ log: logs.log, ...gateOptions });
    const tokens = createSessionTokens({ http, log: logs.log, secrets: logs.secrets, user: USER, apiKey: API_KEY, gate });
    const make = (accountId: string) => createClient({ http, log: logs.log, tokens, gate, account: { user: USER, apiKey: API_KEY, accountId, runmode: 'livetest' } });
    return [make('acct-a'), make('acct-b')];
  }

  it("bridge A's refusal pauses bridge B: B's prefetch fails at once unsent, B's tick call waits out the pause and goes", async () => {
    const [a, b] = twoBridges();
    api.session();
    api.on('GET', '/opened_trades', [429, { status: 'FAIL', res: 'too many requests' }, { 'retry-after': '1' }]);
    api.on('GET', '/opened_trades', [200, tradesBody([])], 2);

    // A's read is retried after the pause, within its budget.
    const aRead = a.openedTrades();
    await vi.waitFor(() => expect(logs.find('rate limited: pausing every call of this user')).toHaveLength(1), { timeout: 2_000, interval: 5 });
    const shed = await b.sheddable().openedTrades().catch((e: unknown) => e);
    expect(shed).toBeInstanceOf(PausedError);
    expect(shed).toMatchObject({ outcome: 'rejected' });
    const requestsWhilePaused = api.calls.length;

    await expect(b.openedTrades()).resolves.toEqual([]);
    await expect(aRead).resolves.toEqual([]);
    // The shed prefetch sent nothing; B's own call was held, not refused by the server.
    expect(requestsWhilePaused).toBe(2);
    expect(api.order()).toEqual(['GET /session', 'GET /opened_trades', 'GET /opened_trades', 'GET /opened_trades']);
    expect(logs.find('rate limited: pausing every call of this user')).toHaveLength(1);
  });

  it('"Exceed maximum access count" with no Retry-After pauses the user for 60 s: calls fail unsent, logged once', async () => {
    const [a, b] = twoBridges();
    api.session();
    api.on('POST', '/open_order', [400, { res: 'Exceed maximum access count' }]);
    const refused = await a.openOrder({ instrument: 'BTCUSD', side: 'BUY', volume: 1, orderRef: 'sb.a.1' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitError);

    const calls = api.calls.length;
    for (const attempt of [() => b.openOrder({ instrument: 'BTCUSD', side: 'SELL', volume: 1, orderRef: 'sb.b.1' }), () => b.closeOrders(['746805590705']), () => a.openedTrades()]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PausedError);
      expect((error as PausedError).resumesInMs).toBeGreaterThan(50_000);
    }
    expect(api.calls.length).toBe(calls);
    expect(logs.find('rate limited: pausing every call of this user')).toHaveLength(1);
    expect(logs.find('api call failed')).toHaveLength(1);
  });

  it('a per-user budget of calls per minute: both bridges count against it; prefetches are shed first', async () => {
    const [a, b] = twoBridges({ callsPerMinute: 3, maxWaitMs: 0 });
    api.session();
    api.on('GET', '/opened_trades', [200, tradesBody([])], 2);
    await a.openedTrades(); // /session and /opened_trades: two calls
    await b.openedTrades(); // the third
    await expect(b.sheddable().openedTrades()).rejects.toBeInstanceOf(PausedError);
    await expect(a.openedTrades()).rejects.toBeInstanceOf(PausedError);
    expect(api.calls).toHaveLength(3);
  });
});
