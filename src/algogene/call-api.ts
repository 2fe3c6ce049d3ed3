import type { z } from 'zod';
import type { Logger } from '../logging/create-logger.js';
import { ApiError } from './api-error.js';
import { AuthError } from './auth-error.js';
import type { Http } from './create-http.js';
import { MalformedReplyError } from './malformed-reply-error.js';
import { RateLimitError } from './rate-limit-error.js';
import { TransportError } from './transport-error.js';

export interface ApiCall<T extends z.ZodType> {
  endpoint: string;
  method: 'GET' | 'POST';
  /** Query parameters for GET, JSON body for POST: both may carry the key and token. */
  params: Record<string, string | number | undefined>;
  schema: T;
}

// Trade IDs are 12-digit numbers today; quoting them before JSON.parse keeps every digit
// even if they grow past 2^53. Only a whole integer is quoted: 1.5 or 1e12 must stay a number,
// so that the schema refuses it, rather than becoming broken JSON.
const BIG_ID = /("(?:tradeID|trade_ID)"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;

/**
 * One request, classified: a validated reply, or an AlgogeneError that says whether the server
 * may have acted. Logs one line per call with the endpoint, the time and the outcome, and
 * never the URL.
 */
export async function callApi<T extends z.ZodType>(http: Http, log: Logger, call: ApiCall<T>): Promise<z.output<T>> {
  const started = performance.now();
  const params = Object.fromEntries(Object.entries(call.params).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  // Only reads are retried: sending an order or a close twice could double it.
  const retries = call.method === 'GET' ? GET_RETRIES : 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const reply = await send(http, call, params);
      log.info({ endpoint: call.endpoint, ms: elapsed(started), outcome: 'ok', attempts: attempt + 1 }, 'api call');
      return reply;
    } catch (error) {
      const waitMs = retryDelay(error, attempt);
      if (attempt < retries && waitMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        continue;
      }
      const outcome = error instanceof ApiError ? 'rejected' : 'unknown';
      log.warn({ endpoint: call.endpoint, ms: elapsed(started), outcome, attempts: attempt + 1, error: (error as Error).message }, 'api call failed');
      throw error;
    }
  }
}

const GET_RETRIES = 2;
// A 429 that asks for a longer wait than this fails the call; the tick has a minute at most.
const MAX_RETRY_AFTER_MS = 5_000;

function retryDelay(error: unknown, attempt: number): number | undefined {
  if (error instanceof RateLimitError) return error.retryAfterMs <= MAX_RETRY_AFTER_MS ? error.retryAfterMs : undefined;
  if (error instanceof TransportError) return 100 * 2 ** attempt;
  return undefined;
}

async function send<T extends z.ZodType>(http: Http, call: ApiCall<T>, params: Record<string, string | number>): Promise<z.output<T>> {
  let response;
  try {
    response = await http.got(call.endpoint.replace(/^\//, ''), {
      method: call.method,
      ...(call.method === 'GET' ? { searchParams: params } : { json: params }),
    });
  } catch (error) {
    // got's errors hold the request options, URL and all: keep only the code.
    const code = (error as { code?: string }).code ?? 'ERROR';
    const kind = code === 'ETIMEDOUT' ? 'timeout' : 'network';
    // The host it tried (never the query string, which holds the key and the token), so the user can check it.
    const host = URL.parse(String(http.got.defaults.options.prefixUrl))?.host ?? 'the server';
    throw new TransportError(call.endpoint, kind, kind === 'timeout' ? `timed out waiting for ${host}` : `connection to ${host} failed (${code})`);
  }
  const status = response.statusCode;
  const body = parseBody(response.body);
  const failReason = body.json !== undefined ? failureOf(body.json) : undefined;
  // A 5xx may have acted, whatever its body says: it must never read as a token refusal, which
  // the client answers by sending the call again (an order twice).
  if (status >= 500) {
    throw new TransportError(call.endpoint, 'server', `HTTP ${status}${failReason ? `: ${failReason}` : ''}`, status);
  }
  if (status === 401 || (failReason !== undefined && /token|unauthori[sz]ed|api.?key|session/i.test(failReason))) {
    throw new AuthError(call.endpoint, failReason ?? 'unauthorized', status);
  }
  if (status === 429) {
    throw new RateLimitError(call.endpoint, retryAfterMs(response.headers['retry-after']));
  }
  if (status >= 400) {
    throw new ApiError(call.endpoint, failReason ?? (body.json === undefined ? 'unreadable error reply' : 'rejected'), status);
  }
  if (status < 200 || status >= 300) {
    throw new TransportError(call.endpoint, 'server', `unexpected HTTP ${status}`, status);
  }
  if (body.json === undefined) {
    throw new TransportError(call.endpoint, 'unreadable', body.looksHtml ? 'HTML instead of JSON' : 'reply is not complete JSON', status);
  }
  if (failReason !== undefined) throw new ApiError(call.endpoint, failReason, status);
  const parsed = call.schema.safeParse(body.json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedReplyError(call.endpoint, `${issue?.path.join('.') || 'reply'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function parseBody(text: string): { json?: unknown; looksHtml: boolean } {
  try {
    return { json: JSON.parse(text.replace(BIG_ID, '$1"$2"')), looksHtml: false };
  } catch {
    return { looksHtml: /^\s*</.test(text) };
  }
}

function failureOf(json: unknown): string | undefined {
  if (json && typeof json === 'object' && 'status' in json && String((json as { status: unknown }).status).toUpperCase() === 'FAIL') {
    const res = (json as { res?: unknown }).res;
    return typeof res === 'string' ? res : JSON.stringify(res ?? 'FAIL');
  }
  return undefined;
}

function retryAfterMs(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 1000;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
