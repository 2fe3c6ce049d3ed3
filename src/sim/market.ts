/** Market data and instrument metadata: key only, no token. */
import type { SimOptions } from './options.js';
import { INTERVALS, type PriceFeed } from './prices.js';
import { fail, type Handler, idList, isReply, ok, type Params, type Reply, show } from './reply.js';
import { formatUtcUs, parseUtc } from './time.js';

interface MarketState {
  userOf: (p: Params) => string | Reply;
  prices: PriceFeed;
  options: SimOptions;
}

/** Sizes of the top of book the simulator pretends to have. */
const TOP_SIZE = 10;

export function marketRoutes(s: MarketState): Array<[string, Handler]> {
  const realtime: Handler = (p, nowUs) => {
    const user = s.userOf(p);
    if (isReply(user)) return user;
    const symbols = idList(p.symbols);
    if (symbols.length === 0) return fail(400, 'missing symbols');
    const unknown = symbols.find((x) => !s.prices.has(x));
    if (unknown !== undefined) return fail(400, `unknown instrument: ${show(unknown)}`);
    const timestamp = formatUtcUs(nowUs);
    // ALGOGENE's MCP docstring: `res` is an object keyed by symbol.
    const res: Record<string, unknown> = {};
    for (const symbol of symbols) {
      const { bid, ask } = s.prices.quote(symbol, nowUs / 1000);
      res[symbol] = {
        timestamp,
        bidPrice: bid,
        askPrice: ask,
        bidSize: TOP_SIZE,
        askSize: TOP_SIZE,
        bidOrderBook: [[bid, TOP_SIZE]],
        askOrderBook: [[ask, TOP_SIZE]],
      };
    }
    return ok({ count: Object.keys(res).length, res });
  };

  const history: Handler = (p, nowUs) => {
    const user = s.userOf(p);
    if (isReply(user)) return user;
    const { instrument, count = '1', interval = 'D', timestamp } = p;
    if (typeof instrument !== 'string' || instrument === '') return fail(400, 'missing instrument');
    if (!s.prices.has(instrument)) return fail(400, `unknown instrument: ${show(instrument)}`);
    const n = typeof count === 'string' && /^\d+$/.test(count) ? Number(count) : NaN;
    if (!(n >= 1)) return fail(400, 'invalid count');
    if (n > s.options.maxHistoryCount) return fail(400, `invalid count: at most ${s.options.maxHistoryCount}`);
    if (typeof interval !== 'string' || !Object.hasOwn(INTERVALS, interval)) return fail(400, 'invalid interval');
    const endMs = timestamp === undefined || timestamp === '' ? nowUs / 1000 : parseUtc(String(timestamp));
    if (endMs === undefined) return fail(400, 'invalid timestamp');
    const bars = s.prices.history(instrument, interval, n, endMs);
    return ok({ count: bars.length, res: bars });
  };

  const list: Handler = (p) => {
    const user = s.userOf(p);
    if (isReply(user)) return user;
    const res = s.prices.symbols().sort();
    return ok({ count: res.length, res });
  };

  const meta: Handler = (p) => {
    const user = s.userOf(p);
    if (isReply(user)) return user;
    const { instrument } = p;
    if (typeof instrument !== 'string' || instrument === '') return fail(400, 'missing instrument');
    const spec = s.prices.spec(instrument);
    if (!spec) return fail(400, `unknown instrument: ${show(instrument)}`);
    return ok({
      res: {
        instrument: spec.symbol,
        contractSize: spec.contractSize,
        market: spec.market,
        producttype: spec.productType,
        settleCurrency: spec.settleCurrency,
        description: spec.description,
        // Not in ALGOGENE's docstring (which names the fields above): the simulator's lot rules, see README.
        minVolume: spec.minVolume,
        volumeDecimals: spec.volumeDecimals,
        priceDecimals: spec.decimals,
      },
    });
  };

  return [
    ['GET /realtime_price', realtime],
    ['GET /history_price', history],
    ['GET /list_instrument', list],
    ['GET /meta_instrument', meta],
  ];
}
