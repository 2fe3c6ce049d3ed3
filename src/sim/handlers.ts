/** The API endpoints: parameter checks and reply shapes, written from the API doc (no code shared with the client). */
import type { Auth } from './auth.js';
import type { BookKey, Books, NewOrder, Trade } from './book.js';
import type { SimOptions } from './options.js';
import { INTERVALS, type PriceFeed } from './prices.js';
import { formatUtcUs, parseUtc } from './time.js';

export type Params = Record<string, unknown>;

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (p: Params, nowUs: number) => Reply;

export interface ApiState {
  auth: Auth;
  books: Books;
  prices: PriceFeed;
  options: SimOptions;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const fail = (status: number, res: string): Reply => ({ status, body: { status: 'FAIL', res } });
const isReply = (x: unknown): x is Reply => typeof x === 'object' && x !== null && 'status' in x && 'body' in x;

/** Echoes user input in error messages without letting a huge value through. */
const show = (v: unknown) => String(v).slice(0, 40);

/** An optional non-negative number field; absent or null means 0. */
function level(p: Params, name: string): number | Reply {
  const v = p[name];
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(400, `invalid ${name}`);
}

/** IDs arrive as a string (GET, or "id1,id2") or as the JSON number `open_order` returned. */
function idList(v: unknown): string[] {
  if (typeof v === 'number' && Number.isInteger(v)) return [String(v)];
  if (typeof v !== 'string') return [];
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function apiRoutes(s: ApiState): Map<string, Handler> {
  const userOf = (p: Params): string | Reply => (s.auth.checkKey(p.user, p.api_key) ? (p.user as string) : fail(401, 'invalid api_key'));

  const bookOf = (p: Params, nowUs: number): BookKey | Reply => {
    const user = userOf(p);
    if (isReply(user)) return user;
    if (!s.auth.checkToken(user, p.token, nowUs)) return fail(401, 'invalid token');
    const { runmode, accountid } = p;
    if (typeof runmode !== 'string' || !s.options.runmodes.includes(runmode)) return fail(400, 'invalid runmode');
    const acc = typeof accountid === 'number' ? String(accountid) : accountid;
    if (typeof acc !== 'string' || acc.trim() === '') return fail(400, 'missing accountid');
    return { user, accountid: acc, runmode };
  };

  const orderOf = (p: Params): NewOrder | Reply => {
    const { instrument, buysell, volume, ordertype, orderRef } = p;
    if (typeof instrument !== 'string' || instrument === '') return fail(400, 'missing instrument');
    if (!s.prices.has(instrument)) return fail(400, `unknown instrument: ${show(instrument)}`);
    if (buysell !== 'BUY' && buysell !== 'SELL') return fail(400, 'invalid buysell: expected BUY or SELL');
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume <= 0) return fail(400, 'invalid volume');
    if (ordertype !== 'MKT') return fail(400, 'invalid ordertype: only MKT is supported');
    if (orderRef !== undefined && orderRef !== null && typeof orderRef !== 'string') return fail(400, 'invalid orderRef');
    const takeProfitLevel = level(p, 'takeProfitLevel');
    const stopLossLevel = level(p, 'stopLossLevel');
    const holdtime = level(p, 'holdtime');
    for (const x of [takeProfitLevel, stopLossLevel, holdtime]) if (isReply(x)) return x;
    return {
      instrument,
      buysell,
      volume,
      orderRef: orderRef ?? '',
      takeProfitLevel: takeProfitLevel as number,
      stopLossLevel: stopLossLevel as number,
      holdtime: holdtime as number,
    };
  };

  const view = (t: Trade, nowUs: number) => {
    const spec = s.prices.spec(t.instrument)!;
    const open = t.state === 'open';
    return {
      broker: 'ALGOGENE',
      buysell: t.buysell === 'BUY' ? 1 : -1,
      channel: 'api',
      expiry: '',
      holdtime: t.holdtime,
      instrument: t.instrument,
      market: spec.market,
      openclose: 'open',
      order_Ref: t.orderRef,
      price: open ? t.entryPrice : t.placePrice,
      product_type: spec.productType,
      right: '',
      stopLossLevel: t.stopLossLevel,
      strike: 0,
      symbol: t.instrument,
      takeProfitLevel: t.takeProfitLevel,
      timestamp: formatUtcUs(open ? t.openedUs! : t.placedUs),
      trade_ID: t.tradeId,
      unrealizedPL: open ? s.books.mark(t, nowUs).pl : 0,
      volume: t.volume,
    };
  };

  const listing = (state: 'pending' | 'open'): Handler => (p, nowUs) => {
    const key = bookOf(p, nowUs);
    if (isReply(key)) return key;
    const id = idList(p.tradeID);
    if (id.length > 1) return fail(400, 'invalid tradeID');
    const trades = s.books.list(key, state, nowUs, id[0]);
    return ok({ count: trades.length, res: trades.map((t) => view(t, nowUs)) });
  };

  const ending = (verb: 'close' | 'cancel'): Handler => (p, nowUs) => {
    const key = bookOf(p, nowUs);
    if (isReply(key)) return key;
    const ids = idList(p.tradeIDs);
    if (ids.length === 0) return fail(400, 'missing tradeIDs');
    const r = verb === 'close' ? s.books.close(key, ids, nowUs) : s.books.cancel(key, ids, nowUs);
    if (!r.ok) return fail(400, `trade not found: ${show(r.missing)}`);
    return ok({ res: `Submitted ${verb} order request for ${r.ids.map((id) => `'${id}',`).join('')}`, status: 'SUCCESS' });
  };

  return new Map<string, Handler>([
    [
      'GET /session',
      (p, nowUs) => {
        const user = userOf(p);
        if (isReply(user)) return user;
        const t = s.auth.issue(user, nowUs);
        return ok({ res: { token: t.token, expired_utc: formatUtcUs(t.expiresUs) } });
      },
    ],
    [
      'POST /open_order',
      (p, nowUs) => {
        const key = bookOf(p, nowUs);
        if (isReply(key)) return key;
        const order = orderOf(p);
        if (isReply(order)) return order;
        const t = s.books.place(key, order, nowUs);
        return ok({ status: 'PENDING_TO_FILL', timestamp_utc: formatUtcUs(t.placedUs), tradeID: Number(t.tradeId) });
      },
    ],
    ['POST /close_orders', ending('close')],
    ['POST /cancel_orders', ending('cancel')],
    ['GET /opened_trades', listing('open')],
    ['GET /pending_trades', listing('pending')],
    [
      'GET /realtime_price',
      (p, nowUs) => {
        const user = userOf(p);
        if (isReply(user)) return user;
        const symbols = idList(p.symbols);
        if (symbols.length === 0) return fail(400, 'missing symbols');
        const unknown = symbols.find((x) => !s.prices.has(x));
        if (unknown !== undefined) return fail(400, `unknown instrument: ${show(unknown)}`);
        const timestamp = formatUtcUs(nowUs);
        const res = symbols.map((symbol) => ({ symbol, ...s.prices.quote(symbol, nowUs / 1000), timestamp }));
        return ok({ count: res.length, res });
      },
    ],
    [
      'GET /history_price',
      (p, nowUs) => {
        const user = userOf(p);
        if (isReply(user)) return user;
        const { instrument, count = '100', interval = 'D', timestamp } = p;
        if (typeof instrument !== 'string' || instrument === '') return fail(400, 'missing instrument');
        if (!s.prices.has(instrument)) return fail(400, `unknown instrument: ${show(instrument)}`);
        const n = typeof count === 'string' && /^\d+$/.test(count) ? Number(count) : NaN;
        if (!(n >= 1)) return fail(400, 'invalid count');
        if (typeof interval !== 'string' || !Object.hasOwn(INTERVALS, interval)) return fail(400, 'invalid interval');
        const endMs = timestamp === undefined || timestamp === '' ? nowUs / 1000 : parseUtc(String(timestamp));
        if (endMs === undefined) return fail(400, 'invalid timestamp');
        const bars = s.prices.history(instrument, interval, Math.min(n, s.options.maxHistoryCount), endMs);
        return ok({ count: bars.length, res: bars });
      },
    ],
  ]);
}
