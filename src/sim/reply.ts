/** Reply shapes and parameter helpers shared by the endpoint modules. */
export type Params = Record<string, unknown>;

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** For open_order: the ID a `recycled-id` fault answers instead of the new one. */
  recycledId?: () => string;
}

/** What a fault asks of the handler itself (the other faults only change the reply). */
export interface RouteContext {
  /** close-refused: accept the close request, then have the broker refuse it. */
  brokerRefusesClose?: boolean;
}

export type Handler = (p: Params, nowUs: number, ctx?: RouteContext) => Reply;

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const fail = (status: number, res: string): Reply => ({ status, body: { status: 'FAIL', res } });
/** ALGOGENE's session refusals carry `res` only, with HTTP 400 (third-party reports, see algogene-api.md). */
export const bare = (res: string): Reply => ({ status: 400, body: { res } });
export const isReply = (x: unknown): x is Reply => typeof x === 'object' && x !== null && 'status' in x && 'body' in x;

/** Echoes user input in error messages without letting a huge value through. */
export const show = (v: unknown) => String(v).slice(0, 40);

/** An optional non-negative number field; absent or null means 0. */
export function level(p: Params, name: string): number | Reply {
  const v = p[name];
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(400, `invalid ${name}`);
}

/** IDs arrive as a string (GET, or "id1,id2") or as the JSON number `open_order` returned. */
export function idList(v: unknown): string[] {
  if (typeof v === 'number' && Number.isInteger(v)) return [String(v)];
  if (typeof v !== 'string') return [];
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** `accountid` / `runtime_id` may be a string or a number. */
export function accountParam(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : v;
  return typeof s === 'string' && s.trim() !== '' ? s : undefined;
}
