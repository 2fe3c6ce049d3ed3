/** The trading endpoints: parameter checks and reply shapes, written from the API notes (no code shared with the client). */
import type { Accounts } from './accounts.js';
import type { Auth } from './auth.js';
import { type BookKey, type Books, cents, type NewOrder, type Trade } from './book.js';
import { marketRoutes } from './market.js';
import type { SimOptions } from './options.js';
import type { PriceFeed } from './prices.js';
import { accountParam, bare, fail, type Handler, idList, isReply, level, ok, type Params, type Reply, show } from './reply.js';
import { formatUtcUs } from './time.js';
import { trackRecordRoutes } from './track-record.js';

export type { Handler, Params, Reply } from './reply.js';

export interface ApiState {
  auth: Auth;
  books: Books;
  prices: PriceFeed;
  accounts: Accounts;
  options: SimOptions;
}

const INVALID_SESSION = 'Invalid session!';
/** query_order's err_msg for an open trade whose last close the broker refused (sim wording). */
export const CLOSE_REFUSED = 'close order rejected by broker';

export function apiRoutes(s: ApiState): Map<string, Handler> {
  const userOf = (p: Params): string | Reply => (s.auth.checkKey(p.user, p.api_key) ? (p.user as string) : fail(401, 'invalid api_key'));

  /** Key, token and runmode: what /accounts needs. */
  const sessionOf = (p: Params, nowUs: number): { user: string; runmode: string } | Reply => {
    const user = userOf(p);
    if (isReply(user)) return user;
    const token = s.auth.checkToken(user, p.token, nowUs);
    if (token === 'revoked' || s.options.badTokenReply === 'invalid-session') {
      if (token !== 'ok') return bare(INVALID_SESSION);
    }
    if (token === 'invalid') return fail(401, 'invalid token');
    const { runmode } = p;
    if (typeof runmode !== 'string' || !(s.options.runmodes as string[]).includes(runmode)) return fail(400, 'invalid runmode');
    return { user, runmode };
  };

  const bookOf = (p: Params, nowUs: number): BookKey | Reply => {
    const sess = sessionOf(p, nowUs);
    if (isReply(sess)) return sess;
    const acc = accountParam(p.accountid);
    if (acc === undefined) return fail(400, 'missing accountid');
    if (!s.accounts.find(sess.user, sess.runmode, acc)) return fail(400, `account not found: ${show(acc)} (runmode ${sess.runmode})`);
    s.accounts.note(sess.user, sess.runmode, acc);
    return { user: sess.user, accountid: acc, runmode: sess.runmode };
  };

  const orderOf = (p: Params): NewOrder | Reply => {
    const { instrument, buysell, volume, ordertype, orderRef } = p;
    if (typeof instrument !== 'string' || instrument === '') return fail(400, 'missing instrument');
    const spec = s.prices.spec(instrument);
    if (!spec) return fail(400, `unknown instrument: ${show(instrument)}`);
    if (buysell !== 'BUY' && buysell !== 'SELL') return fail(400, 'invalid buysell: expected BUY or SELL');
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume <= 0) return fail(400, 'invalid volume');
    if (volume < spec.minVolume) return fail(400, `invalid volume: below the minimum ${spec.minVolume} of ${instrument}`);
    const f = 10 ** spec.volumeDecimals;
    if (Math.abs(Math.round(volume * f) - volume * f) > 1e-6) {
      return fail(400, `invalid volume: at most ${spec.volumeDecimals} decimals for ${instrument}`);
    }
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

  /** The trade shape of /opened_trades and /pending_trades. */
  const view = (t: Trade, nowUs: number) => {
    const spec = s.prices.spec(t.instrument)!;
    const filled = t.state !== 'pending';
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
      price: filled ? t.entryPrice : t.placePrice,
      product_type: spec.productType,
      right: '',
      stopLossLevel: t.stopLossLevel,
      strike: 0,
      symbol: t.instrument,
      takeProfitLevel: t.takeProfitLevel,
      timestamp: formatUtcUs(filled ? t.openedUs! : t.placedUs),
      trade_ID: t.tradeId,
      unrealizedPL: filled ? s.books.mark(t, nowUs).pl : 0,
      volume: t.volume,
    };
  };

  const unlisted = s.options.pendingMarketOrders === 'unlisted';
  const listing = (which: 'pending' | 'open'): Handler => (p, nowUs) => {
    const key = bookOf(p, nowUs);
    if (isReply(key)) return key;
    const id = idList(p.tradeID);
    if (id.length > 1) return fail(400, 'invalid tradeID');
    // Only market orders exist; documented ALGOGENE lists none of them while unfilled (pending_trades is for LMT/STOP).
    const wanted = (t: Trade) => (which === 'open' ? t.state === 'open' || t.state === 'closing' : t.state === 'pending' && !unlisted);
    const trades = s.books.trades(key, nowUs).filter((t) => wanted(t) && (id[0] === undefined || t.tradeId === id[0]));
    return ok({ count: trades.length, res: trades.map((t) => view(t, nowUs)) });
  };

  /** query_order: the definitive state of one order (README: closed, cancelled and unknown IDs). */
  const queryOrder: Handler = (p, nowUs) => {
    const key = bookOf(p, nowUs);
    if (isReply(key)) return key;
    const ids = idList(p.tradeID);
    if (ids.length !== 1) return fail(400, 'missing tradeID');
    const t = s.books.get(key, ids[0]!, nowUs);
    if (!t) return fail(400, `trade not found: ${show(ids[0])}`);
    const filled = t.state !== 'pending' && t.state !== 'cancelled';
    return ok({
      status: filled ? 'FILLED' : 'PENDING',
      err_msg: t.state === 'cancelled' ? 'order cancelled' : t.state === 'open' && t.closeRefusals > 0 ? CLOSE_REFUSED : '',
      tradeID: t.tradeId,
      orderRef: t.orderRef,
      buysell: t.buysell === 'BUY' ? 1 : -1,
      // A market order has no price until it fills.
      price: filled ? t.entryPrice : 0,
      volume: t.volume,
      timestamp: formatUtcUs(t.placedUs),
      takeProfitLevel: t.takeProfitLevel,
      stopLossLevel: t.stopLossLevel,
      holdtime: t.holdtime,
      trailingstop: 0,
      timeinforce: 0,
      instrument: t.instrument,
      symbol: t.instrument,
      expiry: '',
      right: '',
      strike: 0,
      openclose: t.state === 'closed' ? 'close' : 'open',
      ...(t.state === 'cancelled' ? { cancelled: true } : {}),
    });
  };

  const closeOrders: Handler = (p, nowUs, ctx) => {
    const key = bookOf(p, nowUs);
    if (isReply(key)) return key;
    let ids = idList(p.tradeIDs);
    // tradeIDs win when both are given, as ALGOGENE's docstring says.
    if (ids.length === 0 && typeof p.orderRef === 'string' && p.orderRef !== '') {
      ids = s.books.idsByRef(key, p.orderRef, nowUs);
      if (ids.length === 0) return fail(400, `no open trade with orderRef: ${show(p.orderRef)}`);
    }
    if (ids.length === 0) return fail(400, 'missing tradeIDs or orderRef');
    const r = s.books.close(key, ids, nowUs, ctx?.brokerRefusesClose === true);
    if (!r.ok) return fail(400, `trade not found: ${show(r.missing)}`);
    return ok({ res: `Submitted close order request for ${r.ids.map((id) => `'${id}',`).join('')}`, status: 'SUCCESS' });
  };

  const cancelOrders: Handler = (p, nowUs) => {
    const key = bookOf(p, nowUs);
    if (isReply(key)) return key;
    const ids = idList(p.tradeIDs);
    if (ids.length === 0) return fail(400, 'missing tradeIDs');
    const r = s.books.cancel(key, ids, nowUs);
    if (!r.ok) return fail(400, `trade not found: ${show(r.missing)}`);
    return ok({ res: `Submitted cancel order request for ${r.ids.map((id) => `'${id}',`).join('')}`, status: 'SUCCESS' });
  };

  const accountList: Handler = (p, nowUs) => {
    const sess = sessionOf(p, nowUs);
    if (isReply(sess)) return sess;
    const res = s.accounts.of(sess.user, sess.runmode).map((a) => {
      const trades = s.books.trades({ user: sess.user, accountid: a.id, runmode: a.runmode }, nowUs);
      let realizedPL = 0;
      let unrealizedPL = 0;
      let marginUsed = 0;
      for (const t of trades) {
        if (t.state === 'closed') realizedPL += t.realizedPL!;
        if (t.state === 'open' || t.state === 'closing') {
          unrealizedPL += s.books.mark(t, nowUs).pl;
          marginUsed += t.entryPrice! * t.volume * (s.prices.spec(t.instrument)?.contractSize ?? 1);
        }
      }
      const NAV = cents(a.balance + realizedPL + unrealizedPL);
      return {
        accountid: a.id,
        runmode: a.runmode,
        NAV,
        availableBalance: cents(NAV - marginUsed),
        marginUsed: cents(marginUsed),
        realizedPL: cents(realizedPL),
        unrealizedPL: cents(unrealizedPL),
        lastUpdatedTime: formatUtcUs(nowUs),
        isTrading: a.isTrading,
      };
    });
    return ok({ count: res.length, res });
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
    ['GET /accounts', accountList],
    [
      'POST /open_order',
      (p, nowUs) => {
        const key = bookOf(p, nowUs);
        if (isReply(key)) return key;
        const order = orderOf(p);
        if (isReply(order)) return order;
        const t = s.books.place(key, order, nowUs);
        return {
          ...ok({ status: 'PENDING_TO_FILL', timestamp_utc: formatUtcUs(t.placedUs), tradeID: Number(t.tradeId) }),
          recycledId: () => s.books.olderClosed(key, t.tradeId)?.tradeId ?? String(Number(t.tradeId) - 1000),
        };
      },
    ],
    ['POST /close_orders', closeOrders],
    ['POST /cancel_orders', cancelOrders],
    ['GET /opened_trades', listing('open')],
    ['GET /pending_trades', listing('pending')],
    ['GET /query_order', queryOrder],
    ...marketRoutes({ userOf, prices: s.prices, options: s.options }),
    ...trackRecordRoutes({ userOf, books: s.books, prices: s.prices, accounts: s.accounts }),
  ]);
}
