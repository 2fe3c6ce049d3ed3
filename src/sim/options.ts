/** Simulator options: one zod schema is the single source of defaults and validation. */
import { z } from 'zod';

export const FAULT_KINDS = ['500', '502', '429', 'reset', 'timeout', 'truncated'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultPhase = 'before' | 'after';
export const FAULT_PHASES = ['before', 'after', 'both'] as const;
export type FaultPhaseOption = (typeof FAULT_PHASES)[number];

export const DEFAULT_USERS = [{ user: 'demo', apiKey: 'demo-key' }] as const;
export const DEFAULT_RUNMODES = ['livetest', 'realtrade'] as const;

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
});
export type InstrumentSpec = z.infer<typeof instrumentSchema>;

export const DEFAULT_INSTRUMENTS: InstrumentSpec[] = [
  { symbol: 'BTCUSD', price: 30086.67, spread: 20, decimals: 2, market: 'CRYPTO', productType: 'SPOT', volatility: 0.0004 },
  { symbol: 'ETHUSD', price: 1705.42, spread: 1.5, decimals: 2, market: 'CRYPTO', productType: 'SPOT', volatility: 0.0005 },
  { symbol: 'XAUUSD', price: 1940.15, spread: 0.4, decimals: 2, market: 'COMMODITY', productType: 'SPOT', volatility: 0.0001 },
  { symbol: 'EURUSD', price: 1.0842, spread: 0.0001, decimals: 5, market: 'FOREX', productType: 'SPOT', volatility: 0.00005 },
];

/** The options that may change while the simulator runs (`setFaults`). */
export const faultSettingsSchema = z.strictObject({
  /** Added to every API request before it is handled. */
  delayMs: z.number().int().min(0).default(0),
  /** Chance that an API request meets a fault. */
  failRate: z.number().min(0).max(1).default(0),
  failKinds: z.array(z.enum(FAULT_KINDS)).min(1).default(() => [...FAULT_KINDS]),
  /** Whether a fault strikes before the server acts, after it, or either (chosen by the fault PRNG). */
  faultPhase: z.enum(FAULT_PHASES).default('both'),
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
    fillDelayS: z.number().min(0).default(0),
    runmodes: z.array(z.string().min(1)).min(1).default(() => [...DEFAULT_RUNMODES]),
    instruments: z.array(instrumentSchema).min(1).default(() => DEFAULT_INSTRUMENTS.map((i) => ({ ...i }))),
    /** Seeds prices and (derived) fault selection. */
    seed: z.number().int().default(1),
    /** Wall-clock time between two steps of the live price walk. */
    priceStepMs: z.number().int().positive().default(1000),
    /** First trade ID; random 7468xxxxxxxx when absent. */
    tradeIdStart: z.number().int().min(100_000_000_000).max(999_000_000_000).optional(),
    /** Above Node's 5 s default so keep-alive clients polling once a minute keep their socket. */
    keepAliveTimeoutMs: z.number().int().positive().default(65_000),
    maxHistoryCount: z.number().int().positive().default(1000),
  })
  .superRefine((o, ctx) => {
    const dup = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
    const u = dup(o.users.map((x) => x.user));
    if (u !== undefined) ctx.addIssue({ code: 'custom', path: ['users'], message: `duplicate user ${u}` });
    const s = dup(o.instruments.map((x) => x.symbol));
    if (s !== undefined) ctx.addIssue({ code: 'custom', path: ['instruments'], message: `duplicate instrument ${s}` });
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
