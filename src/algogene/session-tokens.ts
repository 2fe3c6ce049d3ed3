import type { Logger } from '../logging/create-logger.js';
import type { Secrets } from '../logging/secrets.js';
import { callApi } from './call-api.js';
import type { Http } from './create-http.js';
import type { RateGate } from './rate-gate.js';
import { MalformedReplyError } from './malformed-reply-error.js';
import { parseExpiry } from './parse-expiry.js';
import { sessionReply } from './schemas.js';

export interface SessionTokens {
  /** A token not yet due for renewal; renews when due, one renewal at a time. */
  get(): Promise<string>;
  /** The server refused this token: the next get() renews (unless another call already did). */
  invalidate(token: string): void;
  /** When the current token expires (epoch ms), or undefined before the first renewal. */
  expiresAt(): number | undefined;
}

export interface SessionTokensOptions {
  http: Http;
  log: Logger;
  secrets: Secrets;
  user: string;
  apiKey: string;
  /** The user's rate gate: /session counts against the same limit. */
  gate?: RateGate;
  now?: () => number;
  /** Renew this long before expiry, or at RENEW_AT_FRACTION of a shorter token's lifetime. */
  renewBeforeMs?: number;
}

// A token whose lifetime is short (under a minute, say) is renewed once this share of its life
// is left, not before every call as a fixed margin longer than the lifetime would do.
const RENEW_AT_FRACTION = 0.5;

/** One per ALGOGENE user: every bridge of that user shares its token. */
export function createSessionTokens(options: SessionTokensOptions): SessionTokens {
  const now = options.now ?? Date.now;
  const renewBeforeMs = options.renewBeforeMs ?? 60_000;
  let current: { token: string; expiresAt: number; renewAt: number } | undefined;
  let renewing: Promise<string> | undefined;

  async function renew(): Promise<string> {
    const issuedAt = now();
    const reply = await callApi({ http: options.http, log: options.log, gate: options.gate }, {
      endpoint: '/session',
      method: 'GET',
      params: { user: options.user, api_key: options.apiKey },
      schema: sessionReply,
    });
    options.secrets.add(reply.res.token);
    let expiresAt: number;
    try {
      expiresAt = parseExpiry(reply.res.expired_utc);
    } catch (error) {
      throw new MalformedReplyError('/session', (error as Error).message);
    }
    const lifetime = Math.max(0, expiresAt - issuedAt);
    current = { token: reply.res.token, expiresAt, renewAt: expiresAt - Math.min(renewBeforeMs, lifetime * RENEW_AT_FRACTION) };
    options.log.info({ expiresUtc: reply.res.expired_utc }, 'session token renewed');
    return current.token;
  }

  return {
    get() {
      if (current && now() < current.renewAt) return Promise.resolve(current.token);
      renewing ??= renew().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
    invalidate(token) {
      if (current?.token === token) current = undefined;
    },
    expiresAt: () => current?.expiresAt,
  };
}
