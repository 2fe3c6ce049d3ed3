import type { Logger } from '../logging/create-logger.js';
import type { Secrets } from '../logging/secrets.js';
import { callApi } from './call-api.js';
import type { Http } from './create-http.js';
import { MalformedReplyError } from './malformed-reply-error.js';
import { parseExpiry } from './parse-expiry.js';
import { sessionReply } from './schemas.js';

export interface SessionTokens {
  /** A token valid for at least `renewBeforeMs` more; renews when needed, one renewal at a time. */
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
  now?: () => number;
  renewBeforeMs?: number;
}

/** One per ALGOGENE user: every bridge of that user shares its token. */
export function createSessionTokens(options: SessionTokensOptions): SessionTokens {
  const now = options.now ?? Date.now;
  const renewBeforeMs = options.renewBeforeMs ?? 60_000;
  let current: { token: string; expiresAt: number } | undefined;
  let renewing: Promise<string> | undefined;

  async function renew(): Promise<string> {
    const reply = await callApi(options.http, options.log, {
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
    current = { token: reply.res.token, expiresAt };
    options.log.info({ expiresUtc: reply.res.expired_utc }, 'session token renewed');
    return current.token;
  }

  return {
    get() {
      if (current && current.expiresAt - now() > renewBeforeMs) return Promise.resolve(current.token);
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
