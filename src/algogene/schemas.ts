import { z } from 'zod';

/** Reply shapes, from ../shared/algogene-api.md. Extra fields are allowed; missing ones are not. */

const tradeId = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

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

export const tradeRecord = z.looseObject({
  trade_ID: tradeId,
  buysell: z.union([z.literal(1), z.literal(-1)]),
  instrument: z.string(),
  price: z.number(),
  volume: z.number(),
  order_Ref: z.string().optional().default(''),
  unrealizedPL: z.number().optional(),
  timestamp: z.string().optional(),
});

export const tradesReply = z.object({
  count: z.number().int().nonnegative(),
  res: z.array(tradeRecord),
});

export const barRecord = z.looseObject({
  t: z.union([z.string(), z.number()]).transform(String),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number().optional().default(0),
});

export const historyReply = z.object({
  count: z.number().int().nonnegative(),
  res: z.array(barRecord),
});

export type TradeRecord = z.infer<typeof tradeRecord>;
