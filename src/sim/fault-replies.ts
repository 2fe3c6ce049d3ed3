/** The replies of the API fault kinds: what ALGOGENE, or a proxy in front of it, was seen to answer instead. */
import type { FaultKind } from './options.js';
import { EXCEED_ACCESS } from './rate-limit.js';
import type { Reply } from './reply.js';

const failBody = (res: string) => ({ status: 'FAIL', res });

export interface RawRequest {
  method: string;
  url: URL;
  body: Buffer;
}

/**
 * `reply` is what the server answered after acting (null when the fault strikes before). Undefined for the
 * transport kinds, which the server delivers itself (they are about sockets, not bodies).
 */
export function apiFaultReply(kind: FaultKind, reply: Reply | null, request: RawRequest, oversizeBytes: number): Reply | undefined {
  const json = reply !== null && reply.status === 200 && typeof reply.body === 'object' && reply.body !== null;
  switch (kind) {
    case 'invalid-session':
      return { status: 400, body: { res: 'Invalid session!' } };
    case 'unauthorized':
      return { status: 400, body: { res: 'Unauthorized' } };
    case 'exceed-access':
      return { status: 400, body: { res: EXCEED_ACCESS } };
    case '429-after':
      return { status: 429, body: failBody('too many requests'), headers: { 'retry-after': '1' } };
    case 'echo': {
      // As some proxies do: the whole request, key and token included, in the failure reason.
      const { method, url, body } = request;
      const text = `${method} ${url.pathname}${url.search}${body.length ? ' ' + body.toString('utf8') : ''}`;
      return { status: 400, body: failBody(`Bad request: ${text}`) };
    }
    case 'empty-list':
      return json ? { status: 200, body: { count: 0, res: [] } } : reply!;
    case 'recycled-id':
      return json && reply.recycledId ? { status: 200, body: { ...(reply.body as object), tradeID: Number(reply.recycledId()) } } : reply!;
    case 'exponent-id':
      return json ? { status: 200, body: exponentIds(reply.body as Record<string, unknown>) } : reply!;
    case 'close-refused':
      // The server accepted the close (SUCCESS); the broker refused it: see Books.close.
      return reply ?? undefined;
    case 'oversize':
      return { status: reply?.status ?? 200, body: { ...(reply?.body as object), padding: 'x'.repeat(oversizeBytes) } };
    default:
      return undefined;
  }
}

/** Trade IDs written in exponent form, as a float-minded server might: "7.46812345678e+11". */
function exponentIds(body: Record<string, unknown>): Record<string, unknown> {
  const swap = (o: Record<string, unknown>) => {
    const out = { ...o };
    for (const k of ['tradeID', 'trade_ID']) if (k in out) out[k] = Number(out[k]).toExponential();
    return out;
  };
  const out = swap(body);
  if (Array.isArray(out.res)) out.res = out.res.map((t) => (typeof t === 'object' && t !== null ? swap(t as Record<string, unknown>) : t));
  return out;
}
