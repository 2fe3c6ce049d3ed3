import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/algogene/api-error.js';
import { RateLimitError } from '../../src/algogene/rate-limit-error.js';
import { TransportError } from '../../src/algogene/transport-error.js';
import { makeBridge, type TestBridge } from '../helpers/make-bridge.js';
import { blockNetwork, failBody, fakeAlgogene, openOrderBody, resetNetwork, submittedBody, tradesBody, type FakeAlgogene, type Reply } from '../helpers/fake-algogene.js';

const ORDER = { instrument: 'BTCUSD', side: 'BUY', volume: 1, orderRef: 'sb.b1.test' } as const;
/**
 * Long enough that a loaded machine answers every nock reply within it (at 100 ms the first /session call timed out
 * now and then with other test files running beside this one), short enough that the slow-reply cases stay short.
 */
const HTTP_TIMEOUT_MS = 1_000;

describe('how ALGOGENE failures are classified', () => {
  let api: FakeAlgogene;
  let t: TestBridge;

  beforeEach(async () => {
    blockNetwork();
    api = fakeAlgogene();
    api.session();
    t = await makeBridge({ env: { BRIDGE_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS) } });
  });
  afterEach(async () => {
    await t.close();
    resetNetwork();
  });

  describe('refusals: ApiError, outcome rejected', () => {
    it('an HTTP 200 with "status": "FAIL" is a failure, not a success', async () => {
      api.openOrder([200, failBody('insufficient margin')]);
      const error = await t.client.openOrder(ORDER).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ reason: 'insufficient margin', outcome: 'rejected', httpStatus: 200, endpoint: '/open_order' });
    });

    it('an HTTP 200 close_orders with "status": "FAIL" is a failure', async () => {
      api.closeOrders([200, failBody('trade not found')]);
      await expect(t.client.closeOrders(['746805590705'])).rejects.toMatchObject({ name: 'ApiError', reason: 'trade not found' });
    });

    it('a 400 with a FAIL body is a refusal carrying its reason', async () => {
      api.closeOrders([400, failBody('market closed')]);
      const error = await t.client.closeOrders(['746805590705']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ reason: 'market closed', outcome: 'rejected', httpStatus: 400 });
    });
  });

  describe('no usable answer: TransportError, outcome unknown, and an order is never sent twice', () => {
    const cases: [string, (a: FakeAlgogene, endpoint: string) => void, TransportError['kind']][] = [
      ['HTTP 500 with JSON', (a, e) => a.on('POST', e, [500, failBody('internal error')]), 'server'],
      ['an HTML 502 from a proxy', (a, e) => a.on('POST', e, [502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' }]), 'server'],
      ['an HTML page with HTTP 200', (a, e) => a.on('POST', e, [200, '<!DOCTYPE html><html>maintenance</html>', { 'content-type': 'text/html' }]), 'unreadable'],
      ['a truncated JSON body', (a, e) => a.on('POST', e, [200, '{"status": "PENDING_TO_FILL", "timestamp_utc": "2023-08-31 14:0']), 'unreadable'],
      ['a connection reset', (a, e) => a.fail('POST', e, 'ECONNRESET'), 'network'],
      ['a reply slower than BRIDGE_HTTP_TIMEOUT_MS', (a, e) => a.on('POST', e, [200, openOrderBody()]).delay(HTTP_TIMEOUT_MS * 10), 'timeout'],
      // A 5xx means the server may have acted, whatever words its body uses.
      ['HTTP 500 whose reason mentions the session', (a, e) => a.on('POST', e, [500, failBody('session store unavailable')]), 'server'],
      ['HTTP 503 whose reason mentions the token', (a, e) => a.on('POST', e, [503, failBody('token service timeout')]), 'server'],
    ];

    it.each(cases)('open_order answered by %s', async (_name, setup, kind) => {
      setup(api, '/open_order');
      const error = await t.client.openOrder(ORDER).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ outcome: 'unknown', kind, endpoint: '/open_order' });
      expect(api.order().filter((c) => c === 'POST /open_order')).toHaveLength(1);
      expect(api.calls.filter((c) => c.endpoint === '/session')).toHaveLength(1);
    });

    it.each(cases)('close_orders answered by %s', async (_name, setup, kind) => {
      setup(api, '/close_orders');
      const error = await t.client.closeOrders(['746805590705']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ outcome: 'unknown', kind });
      expect(api.posts('/close_orders')).toHaveLength(1);
    });

    it('a query (GET) is retried after a transport failure and succeeds', async () => {
      api.on('GET', '/opened_trades', [502, '<html>Bad Gateway</html>']);
      api.on('GET', '/opened_trades', [200, '{"count": 1, "res": [']);
      api.on('GET', '/opened_trades', [200, tradesBody([{ tradeId: '746805590705' }])]);
      const trades = await t.client.openedTrades();
      expect(trades.map((x) => x.tradeId)).toEqual(['746805590705']);
      expect(api.calls.filter((c) => c.endpoint === '/opened_trades')).toHaveLength(3);
    });

    it('a query that keeps failing ends in a TransportError after a bounded number of attempts', async () => {
      api.on('GET', '/opened_trades', [500, failBody('internal error')], 3);
      const error = await t.client.openedTrades().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ outcome: 'unknown', kind: 'server', httpStatus: 500 });
      expect(api.done()).toBe(true);
    });

    it('a connection reset on a query becomes a TransportError once the retries are spent', async () => {
      api.fail('GET', '/pending_trades', 'ECONNRESET', 3);
      await expect(t.client.pendingTrades()).rejects.toMatchObject({ name: 'TransportError', kind: 'network', outcome: 'unknown' });
    });
  });

  describe('429 Too Many Requests', () => {
    it('a query is retried after Retry-After', async () => {
      api.on('GET', '/opened_trades', [429, failBody('too many requests'), { 'retry-after': '0' }]);
      api.on('GET', '/opened_trades', [200, tradesBody([])]);
      expect(await t.client.openedTrades()).toEqual([]);
      expect(api.calls.filter((c) => c.endpoint === '/opened_trades')).toHaveLength(2);
    });

    it('a query is not retried when Retry-After asks for longer than a tick can wait', async () => {
      api.on('GET', '/opened_trades', [429, failBody('too many requests'), { 'retry-after': '3600' }]);
      const error = await t.client.openedTrades().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
    });

    it.each([
      ['open_order', '/open_order', (c: TestBridge['client']) => c.openOrder(ORDER)],
      ['close_orders', '/close_orders', (c: TestBridge['client']) => c.closeOrders(['746805590705'])],
      ['cancel_orders', '/cancel_orders', (c: TestBridge['client']) => c.cancelOrders(['746805590705'])],
    ] as const)('%s is never retried, even with Retry-After: 0', async (_name, endpoint, call) => {
      const reply: Reply = [429, failBody('too many requests'), { 'retry-after': '0' }];
      api.on('POST', endpoint, reply);
      api.on('POST', endpoint, endpoint === '/open_order' ? [200, openOrderBody()] : [200, submittedBody('746805590705')]).optionally();
      const error = await call(t.client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(api.posts(endpoint)).toHaveLength(1);
    });
  });

  it('logs one line per call with the endpoint, the time and the outcome, never the URL', async () => {
    api.on('GET', '/opened_trades', [200, tradesBody([])]);
    api.openOrder([400, failBody('market closed')]);
    await t.client.openedTrades();
    await t.client.openOrder(ORDER).catch(() => undefined);
    const lines = t.logs.lines().filter((l) => l.msg === 'api call' || l.msg === 'api call failed');
    expect(lines.map((l) => [l.endpoint, l.outcome])).toEqual([
      ['/session', 'ok'],
      ['/opened_trades', 'ok'],
      ['/open_order', 'rejected'],
    ]);
    for (const line of lines) expect(typeof line.ms).toBe('number');
    expect(t.logs.text()).not.toContain('algogene.test');
  });
});
