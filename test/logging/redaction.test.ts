import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttp } from '../../src/algogene/create-http.js';
import { createSecrets } from '../../src/logging/secrets.js';
import { captureLog } from '../helpers/capture-log.js';
import { afterCall, fixedStrategy, makeBridge, type TestBridge } from '../helpers/make-bridge.js';
import { API_KEY, BASE_URL, blockNetwork, failBody, fakeAlgogene, resetNetwork, TOKEN, USER, type FakeAlgogene } from '../helpers/fake-algogene.js';

const TRACKED = '746805590705';

/** Every form in which a secret could be written: as is, and percent-encoded both ways. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])];
}

function expectNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of secrets) for (const form of forms(secret)) expect(text).not.toContain(form);
}

describe('secrets never reach the log', () => {
  let api: FakeAlgogene;
  let t: TestBridge | undefined;

  beforeEach(() => {
    blockNetwork();
    api = fakeAlgogene();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    resetNetwork();
  });

  it('a failing cycle whose replies echo the key and the token writes neither', async () => {
    // The values alone, without the words "token" or "api_key", which would read as a token refusal.
    const echo = `request ${USER}/${API_KEY}/${TOKEN} failed`;
    // Tick 1: the close is refused with a reason that echoes both. (A 5xx would now read as a close
    // whose reply was lost, tracked as closing: no failure to carry the secrets.)
    api.session();
    api.opened([{ tradeId: TRACKED }]);
    api.on('POST', '/close_orders', [400, failBody(echo)]);
    // Tick 2: the query gets a 401 that echoes the token and the URL; the strategy throws a message with the key.
    api.on('GET', '/opened_trades', [401, failBody(`invalid token ${TOKEN} for ${BASE_URL}/opened_trades?api_key=${encodeURIComponent(API_KEY)}`)]);
    api.session();
    api.opened([{ tradeId: TRACKED }]);
    // Tick 3: the query gets HTML quoting the URL, the close a 400 echoing both.
    api.on('GET', '/opened_trades', [502, `<html><body>upstream error for /rest/v1/opened_trades?api_key=${API_KEY}&amp;token=${TOKEN}</body></html>`], 3);
    api.on('POST', '/close_orders', [400, failBody(`cannot close: ${echo}`)]);
    api.opened([{ tradeId: TRACKED }]);

    t = await makeBridge({
      strategy: (logs) =>
        fixedStrategy(
          async () => {
            await afterCall(logs, '/opened_trades', 1);
            return null;
          },
          () => {
            throw new Error(`strategy saw ${BASE_URL}/session?user=${USER}&api_key=${API_KEY}`);
          },
          async () => {
            await afterCall(logs, '/opened_trades', 5);
            return null;
          },
        ),
      env: { BRIDGE_HTTP_TIMEOUT_MS: '500' },
    });
    await t.track({ tradeId: TRACKED });

    const results = [await t.tick(), await t.tick(), await t.tick()];

    // Every tick failed, and the failures carried the secrets before redaction.
    expect(results.map((r) => r.ok)).toEqual([false, false, false]);
    expect(results.map((r) => r.error?.name)).toEqual(['ApiError', 'StrategyError', 'TransportError']);
    expect(api.done()).toBe(true);
    expect(results.some((r) => r.error?.message.includes(TOKEN))).toBe(true);
    const written = t.logs.text();
    expect(written.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(6);
    expectNoSecret(written, API_KEY, TOKEN);
    // The tracked trade is still tracked: none of these failures lost it.
    expect((await t.load()).trades.map((x) => x.tradeId)).toEqual([TRACKED]);
  });

  it('a transport error from the HTTP layer names no URL, and a library error logged whole (message, stack, options) shows neither the key nor the token', async () => {
    const logs = captureLog({ secrets: [API_KEY, TOKEN] });
    api.fail('GET', '/opened_trades', 'ECONNRESET');
    const http = createHttp({ baseUrl: BASE_URL, timeoutMs: 2_000 });
    const error = await http.request({ method: 'GET', path: '/opened_trades', query: { user: USER, api_key: API_KEY, token: TOKEN }, maxBytes: 1024 }).catch((e: unknown) => e);
    http.close();
    expect(error).toBeInstanceOf(Error);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toMatch(/opened_trades|api_key|token=/);
    // What a third-party library's error looks like: the URL in its message and its options.
    const url = new URL(`${BASE_URL}/opened_trades?${new URLSearchParams({ user: USER, api_key: API_KEY, token: TOKEN })}`);
    const libraryError = Object.assign(new Error(`read ECONNRESET ${url.href}`), { options: { url, searchParams: url.searchParams } });
    logs.log.error({ err: libraryError, error: libraryError, url: url.toString() }, 'request failed');
    logs.log.error(libraryError);
    expect(logs.text()).toContain('request failed');
    expectNoSecret(logs.text(), API_KEY, TOKEN);
  });

  it('fields named api_key or token are censored wherever they sit', () => {
    const logs = captureLog();
    logs.log.info({ api_key: 'short1', token: 'short2', params: { api_key: 'short3', token: 'short4' }, call: { body: { token: 'short5' } } }, 'fields');
    const [line] = logs.find('fields');
    expect(line).toMatchObject({ api_key: '[REDACTED]', token: '[REDACTED]', params: { api_key: '[REDACTED]', token: '[REDACTED]' }, call: { body: { token: '[REDACTED]' } } });
  });
});

describe('the scrubber', () => {
  it.each([
    ['a hex key', 'a1b2c3d4e5f60718293a4b5c'],
    ['a base64 key', 'Zm9v+YmFy/YmF6=='],
    ['a key with characters form-encoding escapes', "k3y!with(parens)~and'quote*"],
    ['a key with a space', 'key with space 123'],
  ])('masks %s in a URL, raw or percent-encoded either way', (_name, key) => {
    const secrets = createSecrets([key]);
    const url = new URL(`${BASE_URL}/opened_trades`);
    url.searchParams.set('user', USER);
    url.searchParams.set('api_key', key);
    for (const text of [
      `GET ${url.href} failed`,
      `GET ${BASE_URL}/opened_trades?user=${USER}&api_key=${encodeURIComponent(key)} failed`,
      `the key is ${key}.`,
    ]) {
      const redacted = secrets.redact(text);
      expect(redacted).toContain('[REDACTED]');
      expectNoSecret(redacted, key);
      expect(secrets.has(text)).toBe(true);
    }
  });

  it('masks a key inside a URL that the logger writes', () => {
    const logs = captureLog({ secrets: [API_KEY] });
    logs.log.warn({ url: `${BASE_URL}/balance?user=${USER}&api_key=${API_KEY}&runmode=livetest` }, `GET ${BASE_URL}/balance?api_key=${API_KEY}`);
    expectNoSecret(logs.text(), API_KEY);
    expect(logs.lines()[0]?.url).toBe(`${BASE_URL}/balance?user=${USER}&api_key=[REDACTED]&runmode=livetest`);
  });

  it('masks a key with a double quote or backslash as a JSON log line escapes it', () => {
    const key = 'key"with\\odd-chars';
    const logs = captureLog({ secrets: [key] });
    logs.log.info({ detail: `api_key=${key}` }, `message with ${key}`);
    expect(logs.text()).not.toContain(JSON.stringify(key).slice(1, -1));
    expect(logs.lines()[0]).toMatchObject({ detail: 'api_key=[REDACTED]', msg: 'message with [REDACTED]' });
  });

  it('leaves short values alone, so ordinary words are not masked', () => {
    const secrets = createSecrets(['abc']);
    expect(secrets.redact('abc def')).toBe('abc def');
    expect(secrets.has('abc def')).toBe(false);
  });

  it('masks a value that contains another secret whole', () => {
    const secrets = createSecrets(['token-123456', 'token-123456-extended']);
    expect(secrets.redact('a token-123456-extended b token-123456 c')).toBe('a [REDACTED] b [REDACTED] c');
  });
});
