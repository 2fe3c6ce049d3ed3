/** Simulator options: one zod schema is the single source of defaults and validation. */
import { z } from 'zod';

/** Transport faults: any API request can meet them (the kinds a soak test draws from). */
export const FAULT_KINDS = ['500', '502', '429', 'reset', 'timeout', 'truncated'] as const;
/** Replies seen from ALGOGENE or a proxy in front of it; some apply to certain paths only (see faults.ts). */
export const API_FAULT_KINDS = [
  'invalid-session',
  'unauthorized',
  'exceed-access',
  '429-after',
  'empty-list',
  'recycled-id',
  'echo',
  'oversize',
  'exponent-id',
  'close-refused',
] as const;
export const ALL_FAULT_KINDS = [...FAULT_KINDS, ...API_FAULT_KINDS] as const;
export type FaultKind = (typeof ALL_FAULT_KINDS)[number];
export type FaultPhase = 'before' | 'after';
export const FAULT_PHASES = ['before', 'after', 'both'] as const;
export type FaultPhaseOption = (typeof FAULT_PHASES)[number];

export const DEFAULT_USERS = [{ user: 'demo', apiKey: 'demo-key' }] as const;
/** The only two runmodes ALGOGENE documents for trading calls. */
export const RUNMODES = ['livetest', 'livetrade'] as const;
export type Runmode = (typeof RUNMODES)[number];
export const DEFAULT_RUNMODES = RUNMODES;

const instrumentSchema = z.strictObject({
  symbol: z.string().regex(/^[A-Z0-9._-]{1,32}$/, 'symbol must be upper-case letters, digits, . _ -'),
  /** Start price of the random walk (mid). */
  price: z.number().positive(),
  /** Absolute bid/ask spread. */
  spread: z.number().nonnegative(),
  /** Decimals prices are rounded to. */
  decimals: z.number().int().min(0).max(10),
  market: z.string().min(1),
  productType: z.string().min(1).default('SPOT'),
  /** Standard deviation of the log-price change per price step. */
  volatility: z.number().nonnegative().default(0.0003),
  /** Units of the underlying per lot: P&L = price change x volume x contractSize. */
  contractSize: z.number().positive().default(1),
  /** Smallest volume (lots) an order may have. */
  minVolume: z.number().positive().default(0.01),
  /** Decimals a volume may have (0.01 lots: 2). */
  volumeDecimals: z.number().int().min(0).max(8).default(2),
  settleCurrency: z.string().min(1).default('USD'),
  description: z.string().default(''),
});
export type InstrumentSpec = z.output<typeof instrumentSchema>;

export const DEFAULT_INSTRUMENTS: InstrumentSpec[] = [
  { symbol: 'BTCUSD', price: 30086.67, spread: 20, decimals: 2, market: 'CRYPTO', productType: 'SPOT', volatility: 0.0004, contractSize: 1, minVolume: 0.01, volumeDecimals: 2, settleCurrency: 'USD', description: 'Bitcoin vs US Dollar' },
  { symbol: 'ETHUSD', price: 1705.42, spread: 1.5, decimals: 2, market: 'CRYPTO', productType: 'SPOT', volatility: 0.0005, contractSize: 1, minVolume: 0.01, volumeDecimals: 2, settleCurrency: 'USD', description: 'Ethereum vs US Dollar' },
  { symbol: 'XAUUSD', price: 1940.15, spread: 0.4, decimals: 2, market: 'METAL', productType: 'SPOT', volatility: 0.0001, contractSize: 1, minVolume: 0.01, volumeDecimals: 2, settleCurrency: 'USD', description: 'Gold vs US Dollar (1 troy ounce per lot)' },
  { symbol: 'EURUSD', price: 1.0842, spread: 0.0001, decimals: 5, market: 'FX', productType: 'SPOT', volatility: 0.00005, contractSize: 1, minVolume: 0.01, volumeDecimals: 2, settleCurrency: 'USD', description: 'Euro vs US Dollar' },
];

const accountSchema = z.strictObject({
  id: z.string().min(1),
  runmode: z.enum(RUNMODES),
  /** Informative, as on ALGOGENE: orders are not refused when false. */
  isTrading: z.boolean().default(true),
  /** The user owning the account; every user when absent. */
  user: z.string().min(1).optional(),
  /** Starting cash: NAV = balance + realised + unrealised P&L. */
  balance: z.number().nonnegative().default(100_000),
});
export type AccountSpec = z.output<typeof accountSchema>;

/** The options that may change while the simulator runs (`setFaults`). */
export const faultSettingsSchema = z.strictObject({
  /** Added to every API request before it is handled. */
  delayMs: z.number().int().min(0).default(0),
  /** Chance that an API request meets a fault. */
  failRate: z.number().min(0).max(1).default(0),
  failKinds: z.array(z.enum(ALL_FAULT_KINDS)).min(1).default(() => [...FAULT_KINDS]),
  /** Whether a fault strikes before the server acts, after it, or either (chosen by the fault PRNG). */
  faultPhase: z.enum(FAULT_PHASES).default('both'),
  /** Size of the JSON padding an `oversize` fault adds to a 200 reply. */
  oversizeBytes: z.number().int().positive().max(512 * 1024 * 1024).default(8 * 1024 * 1024),
});
export type FaultSettings = z.output<typeof faultSettingsSchema>;

export const simOptionsSchema = z
  .strictObject({
    ...faultSettingsSchema.shape,
    users: z
      .array(z.strictObject({ user: z.string().min(1), apiKey: z.string().min(1) }))
      .min(1)
      .default(() => DEFAULT_USERS.map((u) => ({ ...u }))),
    tokenTtlS: z.number().positive().default(3600),
    /**
     * What a token that is not valid (expired, expireTokens(), never issued) gets: `invalid-token` (default, the
     * simulator's older 401 {"status":"FAIL","res":"invalid token"}) or `invalid-session` (HTTP 400
     * {"res":"Invalid session!"}, what third-party apps saw for a stale or wrong token). Revoked tokens always get the latter.
     */
    badTokenReply: z.enum(['invalid-token', 'invalid-session']).default('invalid-token'),
    /** Seconds between placing a market order and its fill. */
    fillDelayS: z.number().min(0).default(0),
    /**
     * `listed` (default, the simulator's old behaviour): an unfilled market order shows in /pending_trades.
     * `unlisted` (ALGOGENE as documented): it shows in neither list until it fills; /query_order says PENDING.
     */
    pendingMarketOrders: z.enum(['listed', 'unlisted']).default('listed'),
    /**
     * Whether take-profit, stop-loss and holdtime close trades by themselves (ALGOGENE as documented). Off by default:
     * the simulator's live walk and its history bars are unrelated, so a strategy's levels taken from history can
     * sit on the wrong side of the live price, and older tests expect those trades to stay open.
     */
    serverCloses: z.boolean().default(false),
    /** Seconds between a close_orders request and the trade leaving /opened_trades (0: at once). */
    closeDelayS: z.number().min(0).default(0),
    /** Calls per user per rolling minute; beyond, HTTP 400 "Exceed maximum access count". Absent: no limit. */
    rateLimitPerMinute: z.number().int().positive().optional(),
    /** Runmodes accepted by trading calls: a subset of livetest, livetrade. */
    runmodes: z.array(z.enum(RUNMODES)).min(1).default(() => [...RUNMODES]),
    /** The accounts that exist. Absent: any account ID exists in every runmode (see README). */
    accounts: z.array(accountSchema).optional(),
    instruments: z.array(instrumentSchema).min(1).default(() => DEFAULT_INSTRUMENTS.map((i) => ({ ...i }))),
    /** Seeds prices and (derived) fault selection. */
    seed: z.number().int().default(1),
    /** Wall-clock time between two steps of the live price walk. */
    priceStepMs: z.number().int().positive().default(1000),
    /** First trade ID; random 7468xxxxxxxx when absent. */
    tradeIdStart: z.number().int().min(100_000_000_000).max(999_000_000_000).optional(),
    /** Above Node's 5 s default so keep-alive clients polling once a minute keep their socket. */
    keepAliveTimeoutMs: z.number().int().positive().default(65_000),
    /** ALGOGENE's documented maximum of history_price `count`; more is refused. */
    maxHistoryCount: z.number().int().positive().default(1000),
  })
  .superRefine((o, ctx) => {
    const dup = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
    const u = dup(o.users.map((x) => x.user));
    if (u !== undefined) ctx.addIssue({ code: 'custom', path: ['users'], message: `duplicate user ${u}` });
    const s = dup(o.instruments.map((x) => x.symbol));
    if (s !== undefined) ctx.addIssue({ code: 'custom', path: ['instruments'], message: `duplicate instrument ${s}` });
    const a = dup((o.accounts ?? []).map((x) => `${x.user ?? '*'} ${x.runmode} ${x.id}`));
    if (a !== undefined) ctx.addIssue({ code: 'custom', path: ['accounts'], message: `duplicate account ${a}` });
    const stranger = (o.accounts ?? []).find((x) => x.user !== undefined && !o.users.some((u) => u.user === x.user));
    if (stranger) ctx.addIssue({ code: 'custom', path: ['accounts'], message: `account ${stranger.id} names an unknown user` });
  });

export type SimOptions = z.output<typeof simOptionsSchema>;
export type SimOptionsInput = z.input<typeof simOptionsSchema>;

/** Throws an Error naming the offending option (zod messages do not echo values, so no key leaks). */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const where = first?.path.length ? first.path.join('.') : 'options';
  throw new Error(`invalid simulator option ${where}: ${first?.message ?? 'invalid'}`);
}
