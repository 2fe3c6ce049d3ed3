import { z } from 'zod';

/**
 * Reply shapes, from ../shared/algogene-api.md and ALGOGENE's MCP server docstrings. Extra fields
 * are allowed; missing ones are not. Where the sources disagree (a number here, a string there)
 * both are accepted; what cannot be right is refused.
 */

/** A digit string or a safe integer, nothing else: 7.5e11, 1.5, -3 and 2^60 as a number are refused. */
export const tradeId = z
  .union([z.string().regex(/^\d{1,32}$/, 'a trade ID is digits only'), z.number().int().nonnegative().refine(Number.isSafeInteger, 'not a safe integer')])
  .transform(String);

/** A number, or a number written as text ("30086.67"), as the sources disagree. */
const num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

export const sessionReply = z.object({
  res: z.object({ token: z.string().min(1), expired_utc: z.string() }),
});

export const openOrderReply = z.object({
  status: z.string().refine((s) => s.toUpperCase() !== 'FAIL'),
  tradeID: tradeId,
  timestamp_utc: z.string().optional(),
});

export const submittedReply = z.object({
  status: z.literal('SUCCESS'),
  res: z.unknown().optional(),
});

const side = z.union([z.literal(1), z.literal(-1), z.literal('BUY'), z.literal('SELL')]).transform((s) => (s === 1 || s === 'BUY' ? ('BUY' as const) : ('SELL' as const)));

export const tradeRecord = z.looseObject({
  trade_ID: tradeId,
  buysell: side,
  instrument: z.string(),
  price: num,
  volume: num,
  order_Ref: z.string().optional().default(''),
  unrealizedPL: num.optional(),
  timestamp: z.string().optional(),
});

export const tradesReply = z.object({
  count: z.number().int().nonnegative(),
  res: z.array(tradeRecord),
});

/** query_order: one order's state. An unknown ID may come back as an err_msg with no status. */
export const queryOrderReply = z.looseObject({
  status: z.string().optional().default(''),
  err_msg: z.string().optional().default(''),
  tradeID: tradeId.optional(),
  orderRef: z.string().optional(),
  buysell: side.optional(),
  price: num.optional(),
  volume: num.optional(),
  timestamp: z.string().optional(),
  instrument: z.string().optional(),
  /** Undocumented on query_order; read if a server says it (as the trade lists do). */
  openclose: z.string().optional(),
  cancelled: z.boolean().optional(),
});

/**
 * strategy_trade: the account's transactions, ascending. Only trade_ID, price, volume, timestamp
 * and an order reference are documented (spelt order_ref in the MCP example, order_Ref in the
 * trade lists); `openclose` ("open"/"close") as on the trade lists; the reason a server closed a
 * trade is undocumented, so any of the likely field names is read.
 */
export const strategyTradeRecord = z.looseObject({
  trade_ID: tradeId,
  openclose: z.string().optional(),
  order_Ref: z.string().optional(),
  order_ref: z.string().optional(),
  orderRef: z.string().optional(),
  price: num.optional(),
  volume: num.optional(),
  timestamp: z.string().optional(),
  reason: z.string().optional(),
  remark: z.string().optional(),
  close_reason: z.string().optional(),
  closeReason: z.string().optional(),
});

export const strategyTradeReply = z.object({
  count: z.number().int().nonnegative().optional(),
  res: z.array(strategyTradeRecord),
});

const flag = z.union([z.boolean(), z.literal(0), z.literal(1), z.enum(['true', 'false', 'True', 'False'])]).transform((v) => v === true || v === 1 || v === 'true' || v === 'True');

export const accountsReply = z.object({
  count: z.number().int().nonnegative().optional(),
  res: z.array(
    z.looseObject({
      accountid: z.union([z.string().min(1), z.number().int()]).transform(String),
      runmode: z.string().optional(),
      isTrading: flag.optional(),
      NAV: num.optional(),
      availableBalance: num.optional(),
    }),
  ),
});

export const listInstrumentReply = z.object({
  count: z.number().int().nonnegative().optional(),
  res: z.array(z.string()),
});

/** The documented fields, and the lot fields a broker's contract may add (undocumented: read if present). */
export const metaInstrumentReply = z.object({
  res: z.looseObject({
    contractSize: num.optional(),
    market: z.string().optional(),
    producttype: z.string().optional(),
    settleCurrency: z.string().optional(),
    description: z.string().optional(),
    minVolume: num.optional(),
    minLot: num.optional(),
    lotSize: num.optional(),
    volumeStep: num.optional(),
    volumeDecimals: z.number().int().nonnegative().optional(),
  }),
});

export const barRecord = z.looseObject({
  /** The bar's closing time, "YYYY-MM-DD HH:MM:SS" UTC. */
  t: z.union([z.string(), z.number()]).transform(String),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number().optional().default(0),
  b: z.number().optional(),
  a: z.number().optional(),
  m: z.number().optional(),
});

export const historyReply = z.object({
  count: z.number().int().nonnegative(),
  res: z.array(barRecord),
});

const quote = z.looseObject({
  timestamp: z.string().optional(),
  bidPrice: num.optional(),
  askPrice: num.optional(),
  bid: num.optional(),
  ask: num.optional(),
  symbol: z.string().optional(),
});

/** realtime_price: `res` keyed by symbol (the MCP server's docstring), or a list of quotes. */
export const realtimeReply = z.object({
  count: z.number().int().nonnegative().optional(),
  res: z.union([z.record(z.string(), quote), z.array(quote)]),
});

export type TradeRecord = z.infer<typeof tradeRecord>;
export type StrategyTradeRecord = z.infer<typeof strategyTradeRecord>;
