import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { z } from 'zod';
import { BRIDGE_ID, parseBridgesFile } from './bridges-file.js';
import { ConfigError } from './config-error.js';

export type Mode = 'livetest' | 'real';
export type Policy = 'reopen' | 'hold';

export interface BridgeConfig {
  readonly id: string;
  readonly user: string;
  readonly apiKey: string;
  readonly accountId: string;
  readonly mode: Mode;
  /** The runmode string sent to ALGOGENE: "livetest", or ALGOGENE_REAL_RUNMODE in real mode. */
  readonly runmode: string;
  readonly instrument: string;
  readonly volume: number;
  readonly strategy: string;
  readonly strategyTimeoutMs: number;
  readonly policy: Policy;
  readonly schedule: string;
  readonly maxVolume?: number;
  readonly maxOrdersPerHour?: number;
  readonly haltFile?: string;
  readonly haltFlatten: boolean;
  /** Strategy settings (BRIDGE_SEED, BRIDGE_SIGNAL_MAX_AGE_S, …), read by the strategy itself. */
  readonly settings: Readonly<Record<string, string | undefined>>;
}

/** Where notifications go and which ones (src/notify). */
export interface NotifyConfig {
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  readonly telegramToken?: string;
  readonly telegramChatId?: string;
  readonly telegramApi: string;
  readonly discordUrl?: string;
  readonly slackUrl?: string;
  readonly trades: boolean;
  readonly failuresInRow: number;
  readonly dedupeMinutes: number;
  readonly timeoutMs?: number;
}

export interface JournalConfig {
  /** Entries older than this many days are archived to `archiveDir` and dropped. */
  readonly retentionDays?: number;
  readonly archiveDir: string;
}

export interface Config {
  readonly baseUrl: string;
  readonly httpTimeoutMs: number;
  readonly store: string;
  readonly logLevel: string;
  readonly concurrency: number;
  /** An operator's budget of ALGOGENE calls per user and minute, shared by that user's bridges. */
  readonly callsPerMinute?: number;
  /** Fleet mode (run --fleet or BRIDGE_FLEET): the fleet's name, shared by its instances; undefined when off. */
  readonly fleet?: string;
  readonly bridges: readonly BridgeConfig[];
  /** The status, metrics and actions server of `run`; port 0 turns it off. */
  readonly http: HttpConfig;
  readonly journal: JournalConfig;
  readonly notify: NotifyConfig;
}

export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  /** The bearer token of the actions (close, halt, resume); required on a non-loopback bind. */
  readonly token?: string;
}

export interface LoadConfigOptions {
  /** --confirm-real on the command line, the same as BRIDGE_CONFIRM_REAL=yes. */
  confirmReal?: boolean;
  /** How BRIDGE_CONFIG is read; tests pass their own. */
  readFile?: (path: string) => string;
}

type Env = Readonly<Record<string, string | undefined>>;

const positive = z.coerce.number().positive().finite();
const positiveInt = z.coerce.number().int().positive();
const cronExpr = z.string().refine((s) => cron.validate(s));

/** Each variable with its schema and what to say when it is wrong. `secret` values are never echoed. */
const VARS = {
  ALGOGENE_BASE_URL: { schema: z.url({ protocol: /^https?$/ }), expects: 'an http(s) URL', fallback: 'https://algogene.com/rest/v1' },
  ALGOGENE_USER: { schema: z.string().min(1), expects: 'your ALGOGENE user id' },
  ALGOGENE_API_KEY: { schema: z.string().min(1), expects: 'your ALGOGENE API key', secret: true },
  ALGOGENE_ACCOUNT_ID: { schema: z.string().min(1), expects: 'the ALGOGENE account id to publish on' },
  ALGOGENE_REAL_RUNMODE: { schema: z.string().min(1), expects: 'the runmode of real trading', fallback: 'realtrade' },
  BRIDGE_ID: { schema: z.string().regex(BRIDGE_ID), expects: 'letters, digits, _ or - (at most 64)', fallback: 'main' },
  BRIDGE_MODE: { schema: z.enum(['livetest', 'real']), expects: 'livetest or real', fallback: 'livetest' },
  BRIDGE_CONFIRM_REAL: { schema: z.enum(['yes', 'no', '']), expects: 'yes to confirm real trading', fallback: 'no' },
  BRIDGE_INSTRUMENT: { schema: z.string().regex(/^[A-Za-z0-9._-]+$/), expects: 'an instrument such as BTCUSD', fallback: 'BTCUSD' },
  BRIDGE_VOLUME: { schema: positive, expects: 'a number > 0', fallback: '1' },
  BRIDGE_STRATEGY: { schema: z.string().min(1), expects: 'a strategy name, command:…, file:…, webhook or a .js path', fallback: 'random' },
  BRIDGE_STRATEGY_TIMEOUT_MS: { schema: positiveInt, expects: 'a whole number of ms > 0', fallback: '10000' },
  BRIDGE_POLICY: { schema: z.enum(['reopen', 'hold']), expects: 'reopen or hold', fallback: 'reopen' },
  BRIDGE_SCHEDULE: { schema: cronExpr, expects: 'a cron expression (5 fields, or 6 with seconds)', fallback: '* * * * *' },
  BRIDGE_STORE: { schema: z.string().regex(/^(sqlite:\/\/.+|rediss?:\/\/.+|memory:\/\/.*)$/), expects: 'sqlite://path, redis://host:port or memory://', fallback: 'sqlite://data/bridge.sqlite' },
  BRIDGE_HTTP_TIMEOUT_MS: { schema: positiveInt, expects: 'a whole number of ms > 0', fallback: '10000' },
  BRIDGE_CONCURRENCY: { schema: positiveInt, expects: 'a whole number > 0', fallback: '32' },
  BRIDGE_CALLS_PER_MINUTE: { schema: positiveInt.optional(), expects: 'a whole number > 0 (ALGOGENE calls per user per minute)' },
  BRIDGE_MAX_VOLUME: { schema: positive.optional(), expects: 'a number > 0' },
  BRIDGE_MAX_ORDERS_PER_HOUR: { schema: positiveInt.optional(), expects: 'a whole number > 0' },
  BRIDGE_HALT_FILE: { schema: z.string().min(1).optional(), expects: 'a file path' },
  BRIDGE_HALT_FLATTEN: { schema: z.enum(['yes', 'no', '']), expects: 'yes or no', fallback: 'no' },
  BRIDGE_HTTP_HOST: { schema: z.string().regex(/^[A-Za-z0-9.:_-]+$/), expects: 'an address to listen on, such as 127.0.0.1', fallback: '127.0.0.1' },
  BRIDGE_HTTP_PORT: { schema: z.coerce.number().int().min(0).max(65535), expects: 'a port number, 0 (off) to 65535', fallback: '8787' },
  BRIDGE_HTTP_TOKEN: { schema: z.string().min(16).optional(), expects: 'at least 16 characters (make one with: openssl rand -hex 32)', secret: true },
  BRIDGE_CONFIG: { schema: z.string().min(1).optional(), expects: 'the path of a bridges JSON file' },
  BRIDGE_FLEET: { schema: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), expects: 'yes, no, or a fleet name (letters, digits, _ or -)', fallback: 'no' },
  BRIDGE_JOURNAL_RETENTION_DAYS: { schema: positiveInt.optional(), expects: 'a whole number of days > 0' },
  BRIDGE_JOURNAL_ARCHIVE_DIR: { schema: z.string().min(1), expects: 'a folder path', fallback: 'data/journal-archive' },
  BRIDGE_NOTIFY_WEBHOOK_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), expects: 'an http(s) URL', secret: true },
  BRIDGE_NOTIFY_WEBHOOK_SECRET: { schema: z.string().min(16).optional(), expects: 'at least 16 characters (the HMAC key)', secret: true },
  BRIDGE_NOTIFY_TELEGRAM_TOKEN: { schema: z.string().regex(/^\d+:[\w-]+$/).optional(), expects: 'a Telegram bot token (123456:ABC…)', secret: true },
  BRIDGE_NOTIFY_TELEGRAM_CHAT_ID: { schema: z.string().regex(/^-?\d+$|^@\w+$/).optional(), expects: 'a Telegram chat id (a number, or @channel)' },
  BRIDGE_NOTIFY_TELEGRAM_API: { schema: z.url({ protocol: /^https?$/ }), expects: 'an http(s) URL', fallback: 'https://api.telegram.org' },
  BRIDGE_NOTIFY_DISCORD_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), expects: 'a Discord webhook URL', secret: true },
  BRIDGE_NOTIFY_SLACK_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), expects: 'a Slack incoming webhook URL', secret: true },
  BRIDGE_NOTIFY_TRADES: { schema: z.enum(['yes', 'no', '']), expects: 'yes or no', fallback: 'no' },
  BRIDGE_NOTIFY_FAILURES_IN_ROW: { schema: positiveInt, expects: 'a whole number > 0', fallback: '3' },
  BRIDGE_NOTIFY_DEDUPE_MINUTES: { schema: z.coerce.number().nonnegative().finite(), expects: 'a number of minutes >= 0', fallback: '10' },
  LOG_LEVEL: { schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), expects: 'trace, debug, info, warn, error, fatal or silent', fallback: 'info' },
} as const satisfies Record<string, { schema: z.ZodType; expects: string; fallback?: string; secret?: boolean }>;

type VarName = keyof typeof VARS;
const PER_BRIDGE = new Set<VarName>(['ALGOGENE_USER', 'ALGOGENE_API_KEY', 'ALGOGENE_ACCOUNT_ID']);
type Values = { [K in VarName]: z.output<(typeof VARS)[K]['schema']> };

/**
 * The environment (and, with BRIDGE_CONFIG, a bridges file) turned into one validated, frozen
 * config. Reads nothing but `env` and that file, so tests pass their own.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const values = {} as Record<string, unknown>;
  const bridgesFile = blankToUndefined(env.BRIDGE_CONFIG);
  const apiKey = blankToUndefined(env.ALGOGENE_API_KEY);
  for (const [name, spec] of Object.entries(VARS) as [VarName, (typeof VARS)[VarName]][]) {
    const raw = blankToUndefined(env[name]) ?? ('fallback' in spec ? spec.fallback : undefined);
    // With a bridges file, each bridge names its account and may name its own credentials.
    if (raw === undefined && bridgesFile !== undefined && PER_BRIDGE.has(name)) continue;
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    // A key pasted into the wrong variable is still the key: never echo it.
    else problems.push(describe(name, raw, spec.expects, 'secret' in spec || (apiKey !== undefined && String(raw).includes(apiKey))));
  }
  const v = values as Values;
  if (problems.length > 0) throw new ConfigError(problems);

  if (v.BRIDGE_MAX_VOLUME !== undefined && v.BRIDGE_VOLUME > v.BRIDGE_MAX_VOLUME) {
    throw new ConfigError([`BRIDGE_VOLUME: ${v.BRIDGE_VOLUME} is above BRIDGE_MAX_VOLUME ${v.BRIDGE_MAX_VOLUME}`]);
  }

  const bridge: BridgeConfig = {
    id: v.BRIDGE_ID,
    user: v.ALGOGENE_USER,
    apiKey: v.ALGOGENE_API_KEY,
    accountId: v.ALGOGENE_ACCOUNT_ID,
    mode: v.BRIDGE_MODE,
    runmode: v.BRIDGE_MODE === 'real' ? v.ALGOGENE_REAL_RUNMODE : 'livetest',
    instrument: v.BRIDGE_INSTRUMENT,
    volume: v.BRIDGE_VOLUME,
    strategy: v.BRIDGE_STRATEGY,
    strategyTimeoutMs: v.BRIDGE_STRATEGY_TIMEOUT_MS,
    policy: v.BRIDGE_POLICY,
    schedule: v.BRIDGE_SCHEDULE,
    maxVolume: v.BRIDGE_MAX_VOLUME,
    maxOrdersPerHour: v.BRIDGE_MAX_ORDERS_PER_HOUR,
    haltFile: v.BRIDGE_HALT_FILE,
    haltFlatten: v.BRIDGE_HALT_FLATTEN === 'yes',
    settings: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('BRIDGE_'))),
  };
  let bridges: BridgeConfig[] = [bridge];
  if (bridgesFile !== undefined) {
    let text: string;
    try {
      text = (options.readFile ?? ((path) => readFileSync(path, 'utf8')))(bridgesFile);
    } catch (error) {
      throw new ConfigError([`BRIDGE_CONFIG: cannot read ${bridgesFile}: ${(error as Error).message}`]);
    }
    const parsed = parseBridgesFile(text, { base: bridge, env, realRunmode: v.ALGOGENE_REAL_RUNMODE });
    if ('problems' in parsed) throw new ConfigError(parsed.problems);
    bridges = parsed.bridges;
  }

  const realConfirmed = options.confirmReal === true || v.BRIDGE_CONFIRM_REAL === 'yes';
  const real = bridges.filter((b) => b.mode === 'real').map((b) => b.id);
  if (real.length > 0 && !realConfirmed) {
    throw new ConfigError([
      `BRIDGE_MODE=real (bridge ${real.join(', ')}) publishes orders on a broker-connected account with real money: confirm with BRIDGE_CONFIRM_REAL=yes or --confirm-real`,
    ]);
  }
  if (v.BRIDGE_HTTP_PORT !== 0 && !isLoopback(v.BRIDGE_HTTP_HOST) && v.BRIDGE_HTTP_TOKEN === undefined) {
    throw new ConfigError([`BRIDGE_HTTP_TOKEN: required when BRIDGE_HTTP_HOST=${v.BRIDGE_HTTP_HOST} is not a loopback address (anyone who reaches the port could flatten the bridges); or set BRIDGE_HTTP_PORT=0 to serve nothing`]);
  }
  return deepFreeze({
    baseUrl: v.ALGOGENE_BASE_URL,
    httpTimeoutMs: v.BRIDGE_HTTP_TIMEOUT_MS,
    store: v.BRIDGE_STORE,
    logLevel: v.LOG_LEVEL,
    concurrency: v.BRIDGE_CONCURRENCY,
    callsPerMinute: v.BRIDGE_CALLS_PER_MINUTE,
    fleet: v.BRIDGE_FLEET === 'no' ? undefined : v.BRIDGE_FLEET === 'yes' ? 'default' : v.BRIDGE_FLEET,
    bridges,
    http: { host: v.BRIDGE_HTTP_HOST, port: v.BRIDGE_HTTP_PORT, token: v.BRIDGE_HTTP_TOKEN },
    journal: { retentionDays: v.BRIDGE_JOURNAL_RETENTION_DAYS, archiveDir: v.BRIDGE_JOURNAL_ARCHIVE_DIR },
    notify: {
      webhookUrl: v.BRIDGE_NOTIFY_WEBHOOK_URL,
      webhookSecret: v.BRIDGE_NOTIFY_WEBHOOK_SECRET,
      telegramToken: v.BRIDGE_NOTIFY_TELEGRAM_TOKEN,
      telegramChatId: v.BRIDGE_NOTIFY_TELEGRAM_CHAT_ID,
      telegramApi: v.BRIDGE_NOTIFY_TELEGRAM_API,
      discordUrl: v.BRIDGE_NOTIFY_DISCORD_URL,
      slackUrl: v.BRIDGE_NOTIFY_SLACK_URL,
      trades: v.BRIDGE_NOTIFY_TRADES === 'yes',
      failuresInRow: v.BRIDGE_NOTIFY_FAILURES_IN_ROW,
      dedupeMinutes: v.BRIDGE_NOTIFY_DEDUPE_MINUTES,
    },
  });
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this host only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function describe(name: string, raw: unknown, expects: string, secret: boolean): string {
  if (raw === undefined) return `${name}: required, expected ${expects}`;
  return `${name}: expected ${expects}${secret ? '' : `, got ${JSON.stringify(raw)}`}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
