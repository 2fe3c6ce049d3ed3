import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { MalformedReplyError } from '../../src/algogene/malformed-reply-error.js';
import { parseExpiry } from '../../src/algogene/parse-expiry.js';
import { createSessionTokens, type SessionTokens } from '../../src/algogene/session-tokens.js';
import { captureLog, type CapturedLog } from '../helpers/capture-log.js';
import { API_KEY, BASE_URL, blockNetwork, fakeAlgogene, resetNetwork, TOKEN, TOKEN_2, USER, utcText, type FakeAlgogene } from '../helpers/fake-algogene.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('session tokens', () => {
  let api: FakeAlgogene;
  let http: Http;
  let logs: CapturedLog;
  let clock: number;
  let tokens: SessionTokens;

  beforeEach(() => {
    blockNetwork();
    api = fakeAlgogene();
    http = createHttp({ baseUrl: BASE_URL, timeoutMs: 2_000 });
    logs = captureLog();
    clock = T0;
    tokens = createSessionTokens({ http, log: logs.log, secrets: logs.secrets, user: USER, apiKey: API_KEY, now: () => clock });
  });
  afterEach(() => {
    http.close();
    resetNetwork();
  });

  it('obtains a token with the user and key, then reuses it without asking again', async () => {
    api.session(TOKEN, T0 + 3_600_000);
    expect(await tokens.get()).toBe(TOKEN);
    expect(await tokens.get()).toBe(TOKEN);
    expect(api.order()).toEqual(['GET /session']);
    expect(api.calls[0]?.params).toEqual({ user: USER, api_key: API_KEY });
    expect(tokens.expiresAt()).toBe(T0 + 3_600_000);
  });

  it('keeps the token while more than 60 s remain and renews it once less than 60 s remain', async () => {
    api.session(TOKEN, T0 + 120_000);
    expect(await tokens.get()).toBe(TOKEN);

    clock = T0 + 59_000; // 61 s left
    expect(await tokens.get()).toBe(TOKEN);
    expect(api.calls).toHaveLength(1);

    api.session(TOKEN_2, T0 + 3_600_000);
    clock = T0 + 61_000; // 59 s left
    expect(await tokens.get()).toBe(TOKEN_2);
    expect(api.order()).toEqual(['GET /session', 'GET /session']);
  });

  it('a token that lives under 60 s is kept for half its life, not renewed before every call', async () => {
    api.session(TOKEN, T0 + 30_000);
    expect(await tokens.get()).toBe(TOKEN);
    clock = T0 + 10_000; // 20 s left: under the 60 s margin, but most of its life ahead
    expect(await tokens.get()).toBe(TOKEN);
    expect(await tokens.get()).toBe(TOKEN);
    expect(api.calls).toHaveLength(1);

    api.session(TOKEN_2, T0 + 60_000);
    clock = T0 + 16_000; // 14 s left: past half its life
    expect(await tokens.get()).toBe(TOKEN_2);
    expect(api.order()).toEqual(['GET /session', 'GET /session']);
  });

  it('renews a token that has already expired', async () => {
    api.session(TOKEN, T0 + 120_000);
    await tokens.get();
    api.session(TOKEN_2, T0 + 7_200_000);
    clock = T0 + 3_600_000;
    expect(await tokens.get()).toBe(TOKEN_2);
  });

  it.each(['tomorrow', '', '2030-02-30 10:00:00.000000', '2030-01-01T12:00:00Z', '2030-1-1 12:00:00', '2030-01-01 25:00:00.000000'])(
    'refuses expired_utc %j: the token is not used as if it never expired',
    async (expiry) => {
      api.on('GET', '/session', [200, { res: { token: TOKEN, expired_utc: expiry } }]);
      await expect(tokens.get()).rejects.toBeInstanceOf(MalformedReplyError);
      expect(tokens.expiresAt()).toBeUndefined();
      // The next call asks again rather than trusting the token it could not date.
      api.session(TOKEN_2, T0 + 3_600_000);
      expect(await tokens.get()).toBe(TOKEN_2);
      expect(api.calls).toHaveLength(2);
    },
  );

  it.each([
    ['no token', { res: { expired_utc: '2099-01-01 00:00:00.000000' } }],
    ['an empty token', { res: { token: '', expired_utc: '2099-01-01 00:00:00.000000' } }],
    ['no expired_utc', { res: { token: TOKEN } }],
    ['no res', { token: TOKEN, expired_utc: '2099-01-01 00:00:00.000000' }],
  ])('refuses a session reply with %s', async (_name, body) => {
    api.on('GET', '/session', [200, body]);
    await expect(tokens.get()).rejects.toBeInstanceOf(MalformedReplyError);
  });

  it('sends only one /session request when several calls need a token at once', async () => {
    api.session(TOKEN, T0 + 3_600_000);
    const all = await Promise.all([tokens.get(), tokens.get(), tokens.get(), tokens.get()]);
    expect(all).toEqual([TOKEN, TOKEN, TOKEN, TOKEN]);
    expect(api.calls).toHaveLength(1);
  });

  it('shares one failed renewal among the waiting calls, and the next call tries again', async () => {
    api.on('GET', '/session', [401, { status: 'FAIL', res: 'invalid api_key' }]);
    const results = await Promise.allSettled([tokens.get(), tokens.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(api.calls).toHaveLength(1);
    api.session(TOKEN, T0 + 3_600_000);
    expect(await tokens.get()).toBe(TOKEN);
  });

  it('renews after invalidate() of the current token, but not after invalidate() of an older one', async () => {
    api.session(TOKEN, T0 + 3_600_000);
    await tokens.get();
    tokens.invalidate('some-older-token');
    expect(await tokens.get()).toBe(TOKEN);
    expect(api.calls).toHaveLength(1);

    api.session(TOKEN_2, T0 + 3_600_000);
    tokens.invalidate(TOKEN);
    expect(await tokens.get()).toBe(TOKEN_2);
    expect(api.calls).toHaveLength(2);
  });
});

describe('parseExpiry', () => {
  it('reads "YYYY-MM-DD HH:MM:SS.ffffff" as UTC', () => {
    expect(parseExpiry('2023-08-31 15:00:51.330180')).toBe(Date.UTC(2023, 7, 31, 15, 0, 51, 330));
    expect(parseExpiry('2023-08-31 15:00:51')).toBe(Date.UTC(2023, 7, 31, 15, 0, 51));
  });

  it.each(['2023-08-31', '2023-08-31 15:00', '2023-02-29 00:00:00.0', '2023-08-31 15:00:51.1234567', ' 2023-08-31 15:00:51', 'NaN', 'null'])(
    'throws on %j',
    (text) => {
      expect(() => parseExpiry(text)).toThrow(/expired_utc/);
    },
  );
});
