import type { z } from 'zod';
import type { Logger } from '../logging/create-logger.js';
import { classifyReply } from './classify-reply.js';
import type { Http } from './create-http.js';
import { MalformedReplyError } from './malformed-reply-error.js';
import { PausedError } from './paused-error.js';
import { openGate, type CallPriority, type RateGate } from './rate-gate.js';
import { RateLimitError } from './rate-limit-error.js';
import { TransportError } from './transport-error.js';

export interface ApiCall<T extends z.ZodType> {
  endpoint: string;
  method: 'GET' | 'POST';
  /** Query parameters for GET, JSON body for POST: both may carry the key and token. */
  params: Record<string, string | number | undefined>;
  schema: T;
  /** Prefetch look-ups are shed first when the user is rate limited. */
  priority?: CallPriority;
}

export interface CallContext {
  readonly http: Http;
  readonly log: Logger;
  /** The user's shared rate gate. */
  readonly gate?: RateGate;
}

// Trade IDs are 12-digit numbers today. Any number in an ID field is quoted verbatim before
// JSON.parse: every digit of a long one is kept, and a non-integer (7.5e11, 1.5) reaches the
// schema as the text it was, which refuses it, instead of a number that looks whole.
const ID_NUMBER = /("(?:tradeID|trade_ID)"\s*:\s*)(-?[0-9][0-9.eE+-]*)(?=\s*[,}\]])/g;

// The largest reply these endpoints have a reason to send (a long trade history) is far below.
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/**
 * One request, classified: a validated reply, or an AlgogeneError that says whether the server
 * may have acted. Logs one line per call with the endpoint, the time and the outcome, and
 * never the URL.
 */
export async function callApi<T extends z.ZodType>(ctx: CallContext, call: ApiCall<T>): Promise<z.output<T>> {
  const { log } = ctx;
  const gate = ctx.gate ?? openGate;
  const started = performance.now();
  const params = Object.fromEntries(Object.entries(call.params).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  // Only reads are retried: sending an order or a close twice could double it.
  const retries = call.method === 'GET' ? GET_RETRIES : 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await gate.enter(call.endpoint, call.priority ?? 'normal');
      const reply = await send(ctx.http, call, params);
      log.info({ endpoint: call.endpoint, ms: elapsed(started), outcome: 'ok', attempts: attempt + 1 }, 'api call');
      return reply;
    } catch (error) {
      if (error instanceof RateLimitError) gate.limited(error.retryAfterMs);
      const waitMs = retryDelay(error, attempt, ctx.gate !== undefined);
      if (attempt < retries && waitMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        continue;
      }
      const outcome = (error as { outcome?: string }).outcome ?? 'unknown';
      // A paused call was never sent: the pause itself was logged once.
      if (!(error instanceof PausedError)) {
        log.warn({ endpoint: call.endpoint, ms: elapsed(started), outcome, attempts: attempt + 1, error: (error as Error).message }, 'api call failed');
      }
      throw error;
    }
  }
}

const GET_RETRIES = 2;
// Without a shared gate, a 429 that asks for a longer wait than this fails the call.
const MAX_RETRY_AFTER_MS = 5_000;

function retryDelay(error: unknown, attempt: number, gated: boolean): number | undefined {
  // With a gate, the next attempt's enter() waits out the pause (or refuses to).
  if (error instanceof RateLimitError) return gated ? 0 : error.retryAfterMs <= MAX_RETRY_AFTER_MS ? error.retryAfterMs : undefined;
  if (error instanceof TransportError && error.kind !== 'oversize') return 100 * 2 ** attempt;
  return undefined;
}

async function send<T extends z.ZodType>(http: Http, call: ApiCall<T>, params: Record<string, string | number>): Promise<z.output<T>> {
  let response;
  try {
    response = await http.request({ method: call.method, path: call.endpoint, ...(call.method === 'GET' ? { query: params } : { json: params }), maxBytes: MAX_REPLY_BYTES });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'ERROR';
    if (code === 'EOVERSIZE') throw new TransportError(call.endpoint, 'oversize', `reply larger than ${MAX_REPLY_BYTES} bytes: abandoned`);
    const kind = code === 'ETIMEDOUT' ? 'timeout' : 'network';
    // The host it tried (never the query string, which holds the key and the token), so the user can check it.
    throw new TransportError(call.endpoint, kind, kind === 'timeout' ? `timed out waiting for ${http.host}` : `connection to ${http.host} failed (${code})`);
  }
  const body = parseBody(response.body);
  const retryAfter = response.headers['retry-after'];
  const error = classifyReply({
    endpoint: call.endpoint,
    status: response.status,
    json: body.json,
    looksHtml: body.looksHtml,
    retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
  });
  if (error) throw error;
  const parsed = call.schema.safeParse(body.json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedReplyError(call.endpoint, `${issue?.path.join('.') || 'reply'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function parseBody(text: string): { json?: unknown; looksHtml: boolean } {
  try {
    return { json: JSON.parse(text.replace(ID_NUMBER, '$1"$2"')), looksHtml: false };
  } catch {
    return { looksHtml: /^\s*</.test(text) };
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
