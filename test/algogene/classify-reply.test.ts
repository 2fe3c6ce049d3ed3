/**
 * Every row of src/algogene/classify-reply.ts, through the client against nock: what the server
 * says (its words as well as its status) decides the typed error, and so what the bridge does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/algogene/api-error.js';
import { AuthError } from '../../src/algogene/auth-error.js';
import { MAX_REPLY_BYTES } from '../../src/algogene/call-api.js';
import type { AlgogeneClient } from '../../src/algogene/create-client.js';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { MalformedReplyError } from '../../src/algogene/malformed-reply-error.js';
import { RateLimitError } from '../../src/algogene/rate-limit-error.js';
import { TransportError } from '../../src/algogene/transport-error.js';
import { accountClient } from '../helpers/account-client.js';
import { BASE_URL, blockNetwork, fakeAlgogene, failBody, openOrderBody, resetNetwork, TOKEN, TOKEN_2, tradesBody, type FakeAlgogene } from '../helpers/fake-algogene.js';

const ORDER = { instrument: 'BTCUSD', side: 'BUY', volume: 1, orderRef: 'sb.b1.classify' } as const;

describe('the reply table', () => {
  let api: FakeAlgogene;
  let http: Http;
  let client: AlgogeneClient;

  beforeEach(() => {
    blockNetwork();
    api = fakeAlgogene();
    http = createHttp({ baseUrl: BASE_URL, timeoutMs: 2_000 });
    client = accountClient(http, 'livetest');
  });
  afterEach(() => {
    http.close();
    resetNetwork();
  });

  const openOrder = () => client.openOrder(ORDER).catch((e: unknown) => e);

  describe('a refused session: renewed once, the call sent once more (an order refused for its token was not placed)', () => {
    it.each([
      ['HTTP 400 {"res": "Invalid session!"}', 400, { res: 'Invalid session!' }],
      ['HTTP 400 {"res": "Unauthorized"}', 400, { res: 'Unauthorized' }],
      ['HTTP 401 FAIL "invalid token"', 401, failBody('invalid token')],
      ['HTTP 200 FAIL "token expired"', 200, failBody('token expired')],
      ['HTTP 401 with any body', 401, { detail: 'nope' }],
    ] as const)('%s', async (_name, status, body) => {
      api.session(TOKEN);
      api.openOrder([status, body]);
      api.session(TOKEN_2);
      api.openOrder();
      const ack = await client.openOrder(ORDER);
      expect(ack.tradeId).toBe('746805590705');
      expect(api.order()).toEqual(['GET /session', 'POST /open_order', 'GET /session', 'POST /open_order']);
      expect(api.posts('/open_order').map((c) => c.params.token)).toEqual([TOKEN, TOKEN_2]);
    });

    it('refused again after the renewal: an AuthError, and no third attempt', async () => {
      api.session(TOKEN);
      api.openOrder([400, { res: 'Invalid session!' }]);
      api.session(TOKEN_2);
      api.openOrder([400, { res: 'Invalid session!' }]);
      const error = await openOrder();
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ outcome: 'rejected', reason: 'Invalid session!' });
      expect(api.posts('/open_order')).toHaveLength(2);
    });

    it('a wrong API key on /session is not retried', async () => {
      api.on('GET', '/session', [400, failBody('invalid api_key')]);
      const error = await openOrder();
      expect(error).toBeInstanceOf(AuthError);
      expect(api.order()).toEqual(['GET /session']);
    });
  });

  describe('the rate limit: RateLimitError, outcome unknown (a limiter may answer after acting), never resent', () => {
    it.each([
      ['HTTP 400 "Exceed maximum access count"', 400, { res: 'Exceed maximum access count' }, undefined, 60_000],
      ['HTTP 200 "Exceed maximum access count"', 200, { status: 'FAIL', res: 'Exceed maximum access count (40/min)' }, undefined, 60_000],
      ['HTTP 429 with Retry-After: 7', 429, failBody('too many requests'), '7', 7_000],
      ['HTTP 429 with no Retry-After', 429, '<html>Too Many Requests</html>', undefined, 60_000],
    ] as const)('%s', async (_name, status, body, retryAfter, waitMs) => {
      api.session();
      api.openOrder([status, body, retryAfter ? { 'retry-after': retryAfter } : {}]);
      const error = await openOrder();
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ outcome: 'unknown', retryAfterMs: waitMs });
      expect(api.posts('/open_order')).toHaveLength(1);
    });
  });

  describe('no usable answer: TransportError, outcome unknown', () => {
    it.each([
      ['HTTP 500 whose body says "Invalid session!" (a 5xx may have acted: never a token refusal)', 500, { res: 'Invalid session!' }, 'server'],
      ['HTTP 503 "Exceed maximum access count"', 503, { res: 'Exceed maximum access count' }, 'server'],
      ['an HTML 502 from a proxy', 502, '<html><h1>502 Bad Gateway</h1></html>', 'server'],
      ['an HTML page with HTTP 200', 200, '<!DOCTYPE html><html>maintenance</html>', 'unreadable'],
      ['a truncated JSON body', 200, '{"status": "PENDING_TO_FILL", "tradeID": 7468', 'unreadable'],
      ['a redirect', 302, '', 'server'],
    ] as const)('%s', async (_name, status, body, kind) => {
      api.session();
      api.openOrder([status, body]);
      const error = await openOrder();
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ outcome: 'unknown', kind });
      expect(api.order()).toEqual(['GET /session', 'POST /open_order']);
    });

    it('a reply larger than the cap is abandoned: a failed call of unknown outcome', async () => {
      api.session();
      const huge = `{"status":"PENDING_TO_FILL","tradeID":746805590705,"pad":"${'x'.repeat(MAX_REPLY_BYTES + 1024)}"}`;
      api.openOrder([200, huge]);
      const error = await openOrder();
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ outcome: 'unknown', kind: 'oversize' });
    });
  });

  describe('refusals: ApiError, outcome rejected', () => {
    it.each([
      ['HTTP 200 {"status": "FAIL"}', 200, failBody('insufficient margin'), 'insufficient margin'],
      ['HTTP 400 FAIL', 400, failBody('invalid volume'), 'invalid volume'],
      ['HTTP 404 HTML', 404, '<html>Not Found</html>', 'unreadable error reply'],
    ] as const)('%s', async (_name, status, body, reason) => {
      api.session();
      api.openOrder([status, body]);
      const error = await openOrder();
      expect(error).toBeInstanceOf(ApiError);
      expect(error).not.toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ outcome: 'rejected', reason });
    });

    it('a SUCCESS whose text mentions a token is a success, not a refusal', async () => {
      api.session();
      api.on('POST', '/close_orders', [200, { status: 'SUCCESS', res: "Submitted close order request for '746805590705', token refreshed" }]);
      await expect(client.closeOrders(['746805590705'])).resolves.toBeUndefined();
    });
  });

  describe('trade IDs: digit strings or safe integers, nothing else', () => {
    it.each([
      ['7.5e11', '{"status": "PENDING_TO_FILL", "tradeID": 7.5e11}'],
      ['7.5E+11', '{"status": "PENDING_TO_FILL", "tradeID": 7.5E+11}'],
      ['"7.5e11"', '{"status": "PENDING_TO_FILL", "tradeID": "7.5e11"}'],
      ['746805590705.0', '{"status": "PENDING_TO_FILL", "tradeID": 746805590705.0}'],
    ])('open_order answering tradeID %s is refused', async (_name, body) => {
      api.session();
      api.openOrder([200, body]);
      expect(await openOrder()).toBeInstanceOf(MalformedReplyError);
    });

    it('a trade list carrying an exponent trade_ID is refused whole', async () => {
      api.session();
      const body = JSON.stringify(tradesBody([{ tradeId: '746805590705' }])).replace('"746805590705"', '7.46805590705e11');
      api.on('GET', '/opened_trades', [200, body], 3);
      await expect(client.openedTrades()).rejects.toBeInstanceOf(MalformedReplyError);
    });

    it('a 12-digit number and a digit string are the same ID', async () => {
      api.session();
      api.openOrder([200, openOrderBody(746805590705)]);
      api.openOrder([200, openOrderBody('746805590706')]);
      expect((await client.openOrder(ORDER)).tradeId).toBe('746805590705');
      expect((await client.openOrder(ORDER)).tradeId).toBe('746805590706');
    });
  });
});
