import { AlgogeneError } from './algogene-error.js';
import { ApiError } from './api-error.js';
import { AuthError } from './auth-error.js';
import { RateLimitError } from './rate-limit-error.js';
import { TransportError } from './transport-error.js';

/** What a reply said, before its shape is checked. */
export interface ReplyFacts {
  readonly endpoint: string;
  readonly status: number;
  /** The body parsed as JSON, or undefined when it is not JSON (HTML, truncated). */
  readonly json: unknown;
  readonly looksHtml: boolean;
  readonly retryAfter?: string;
}

interface Row {
  /** Why this row exists: where the wording or status was seen. */
  readonly seen: string;
  readonly matches: (reply: ReplyFacts, reason: string | undefined) => boolean;
  readonly error: (reply: ReplyFacts, reason: string | undefined) => AlgogeneError;
}

// The rate limit is per user: without a Retry-After the third-party app that met it waited 60 s.
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

const text = (pattern: RegExp) => (_reply: ReplyFacts, reason: string | undefined) => reason !== undefined && pattern.test(reason);
const auth = (reply: ReplyFacts, reason: string | undefined) => new AuthError(reply.endpoint, reason ?? 'unauthorized', reply.status);
const rateLimit = (reply: ReplyFacts, reason: string | undefined) =>
  new RateLimitError(reply.endpoint, retryAfterMs(reply.retryAfter), reply.status, reason);

/**
 * Reply texts and statuses → the client's typed errors, first match wins. A new wording found in
 * the field is one row here. The order matters: a 5xx may have acted whatever its body says, so it
 * must never read as a token refusal (which the client answers by sending the call again).
 */
const TABLE: readonly Row[] = [
  { seen: 'any 5xx: the server may have acted', matches: (r) => r.status >= 500, error: (r, why) => new TransportError(r.endpoint, 'server', `HTTP ${r.status}${why ? `: ${why}` : ''}`, r.status) },
  { seen: 'third-party: HTTP 400 {"res": "Exceed maximum access count"} (also as HTTP 200)', matches: text(/exceed(ed)? maximum access count/i), error: rateLimit },
  { seen: 'HTTP 429 with or without Retry-After', matches: (r) => r.status === 429, error: rateLimit },
  { seen: 'third-party: HTTP 400 {"res": "Invalid session!"}', matches: text(/invalid session/i), error: auth },
  { seen: 'third-party: HTTP 400 {"res": "Unauthorized"}', matches: text(/unauthori[sz]ed/i), error: auth },
  { seen: 'simulator and proxies: "invalid token", "token expired"', matches: text(/\btoken\b.*\b(invalid|expired|missing)\b|\b(invalid|expired|missing)\b.*\btoken\b/i), error: auth },
  { seen: 'a wrong API key', matches: text(/invalid api.?key|api.?key.*invalid/i), error: auth },
  { seen: 'HTTP 401', matches: (r) => r.status === 401, error: auth },
  { seen: 'any other 4xx: refused, nothing changed', matches: (r) => r.status >= 400, error: (r, why) => new ApiError(r.endpoint, why ?? (r.json === undefined ? 'unreadable error reply' : 'rejected'), r.status) },
  { seen: 'a 1xx/3xx: not an answer', matches: (r) => r.status < 200 || r.status >= 300, error: (r) => new TransportError(r.endpoint, 'server', `unexpected HTTP ${r.status}`, r.status) },
  { seen: 'an HTML page or a cut JSON body with HTTP 2xx', matches: (r) => r.json === undefined, error: (r) => new TransportError(r.endpoint, 'unreadable', r.looksHtml ? 'HTML instead of JSON' : 'reply is not complete JSON', r.status) },
  { seen: 'HTTP 200 {"status": "FAIL", "res": reason}', matches: (r) => statusOf(r.json) === 'FAIL', error: (r, why) => new ApiError(r.endpoint, why ?? 'FAIL', r.status) },
];

/** The typed error a reply amounts to, or undefined when it is an answer to check against its schema. */
export function classifyReply(reply: ReplyFacts): AlgogeneError | undefined {
  const reason = reasonOf(reply.json);
  const row = TABLE.find((r) => r.matches(reply, reason));
  return row?.error(reply, reason);
}

function statusOf(json: unknown): string | undefined {
  const status = json && typeof json === 'object' ? (json as { status?: unknown }).status : undefined;
  return typeof status === 'string' ? status.toUpperCase() : undefined;
}

/**
 * The server's words, when the reply is not a success: `res` (or `err_msg`) as text. A success's
 * `res` ("Submitted close order request for …") is not a reason and is never matched.
 */
function reasonOf(json: unknown): string | undefined {
  if (!json || typeof json !== 'object' || statusOf(json) === 'SUCCESS') return undefined;
  const { res, err_msg: errMsg } = json as { res?: unknown; err_msg?: unknown };
  if (typeof res === 'string') return res;
  if (statusOf(json) === 'FAIL') return res === undefined ? (typeof errMsg === 'string' ? errMsg : undefined) : JSON.stringify(res);
  return undefined;
}

function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  if (header !== undefined && header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = header ? Date.parse(header) : Number.NaN;
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : DEFAULT_RATE_LIMIT_WAIT_MS;
}
