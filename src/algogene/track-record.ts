import { z } from 'zod';
import type { Logger } from '../logging/create-logger.js';
import { callApi } from './call-api.js';
import type { Http } from './create-http.js';

/** What the marketplace shows investors for one account: /strategy_stats, /strategy_pl and /strategy_trade. */
export interface TrackRecord {
  /** performance.TotalPnL of /strategy_stats. */
  readonly totalPnl?: number;
  /** performance.TradeCnt of /strategy_stats. */
  readonly tradeCount?: number;
  /** TotalPL of the last day of /strategy_pl (cumulative). */
  readonly cumulativePl?: number;
  readonly plAsOf?: string;
  /** /strategy_trade, ascending. */
  readonly transactions: readonly { tradeId: string; openclose: string; orderRef: string; price?: number; timestamp?: string; realizedPL?: number }[];
}

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const performance = z.looseObject({ TotalPnL: num.optional(), TradeCnt: num.optional() });
const statsReply = z.looseObject({ res: z.looseObject({ performance: performance.optional() }).optional(), performance: performance.optional() });
const plReply = z.looseObject({ res: z.array(z.looseObject({ Acdate: z.string().optional(), TotalPL: num.optional() })) });
const tradeReply = z.looseObject({
  res: z.array(
    z.looseObject({
      trade_ID: z.union([z.string(), z.number()]).transform(String),
      openclose: z.string().optional(),
      order_Ref: z.string().optional(),
      order_ref: z.string().optional(),
      orderRef: z.string().optional(),
      price: num.optional(),
      timestamp: z.string().optional(),
      realizedPL: num.optional(),
    }),
  ),
});

/** The three calls need no session token: the user, the API key, the runmode and the account as runtime_id. */
export async function fetchTrackRecord(http: Http, log: Logger, account: { user: string; apiKey: string; accountId: string; runmode: string }): Promise<TrackRecord> {
  const params = { user: account.user, api_key: account.apiKey, runmode: account.runmode, runtime_id: account.accountId };
  const [stats, pl, trades] = await Promise.all([
    callApi({ http, log }, { endpoint: '/strategy_stats', method: 'GET', params, schema: statsReply }),
    callApi({ http, log }, { endpoint: '/strategy_pl', method: 'GET', params, schema: plReply }),
    callApi({ http, log }, { endpoint: '/strategy_trade', method: 'GET', params: { ...params, acdate: '' }, schema: tradeReply }),
  ]);
  const perf = stats.res?.performance ?? stats.performance;
  const lastDay = pl.res.at(-1);
  return {
    totalPnl: perf?.TotalPnL,
    tradeCount: perf?.TradeCnt,
    cumulativePl: lastDay?.TotalPL,
    plAsOf: lastDay?.Acdate,
    transactions: trades.res.map((t) => ({ tradeId: t.trade_ID, openclose: t.openclose ?? 'unknown', orderRef: t.order_Ref ?? t.order_ref ?? t.orderRef ?? '', price: t.price, timestamp: t.timestamp, realizedPL: t.realizedPL })),
  };
}
