import cron from 'node-cron';
import { z } from 'zod';
import { decimal } from './decimal.js';

export const BRIDGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const cronExpr = z.string().refine((s) => cron.validate(s));
const yesNo = z.enum(['yes', 'no']);

export interface VarSpec {
  readonly schema: z.ZodType<unknown, string | undefined>;
  readonly expects: string;
  readonly meaning: string;
  readonly default?: string;
  readonly secret?: boolean;
  /** `bridge`: each bridge of a bridges file may have its own (under `field`); `process`: one for the process. */
  readonly scope: 'process' | 'bridge';
  readonly field?: string;
  /** always: every command needs it; trading: run, once and check need it (status and close do not). */
  readonly required?: 'always' | 'trading';
}

/**
 * Every variable signal-bridge reads, besides the strategies' own settings (declared in their
 * modules). Adding one is one line here; its parsed value is then `config.vars.NAME`, and any
 * other BRIDGE_* / ALGOGENE_* name stays an error with a "did you mean". Required ones first:
 * `check` and .env.example list them in this order.
 */
export const VARS = {
  ALGOGENE_USER: { schema: z.string(), expects: 'your ALGOGENE user id', meaning: 'your ALGOGENE user id', scope: 'bridge', field: 'userEnv', required: 'always' },
  ALGOGENE_API_KEY: { schema: z.string(), expects: 'your ALGOGENE API key', meaning: 'your API key (never logged, never stored)', scope: 'bridge', field: 'apiKeyEnv', secret: true, required: 'always' },
  ALGOGENE_ACCOUNT_ID: { schema: z.string(), expects: 'the ALGOGENE account id to publish on', meaning: 'the account the strategy publishes on', scope: 'bridge', field: 'account', required: 'always' },
  BRIDGE_STRATEGY: { schema: z.string(), expects: 'a strategy name, command:…, file:…, webhook or a .js path', meaning: 'where signals come from', scope: 'bridge', field: 'strategy', required: 'trading' },
  BRIDGE_INSTRUMENT: { schema: z.string().regex(/^[A-Za-z0-9._-]+$/), expects: 'an instrument such as BTCUSD', meaning: 'the instrument traded', scope: 'bridge', field: 'instrument', required: 'trading' },
  ALGOGENE_BASE_URL: { schema: z.url({ protocol: /^https?$/ }), expects: 'an http(s) URL', meaning: 'base URL of the REST API', default: 'https://algogene.com/rest/v1', scope: 'process' },
  BRIDGE_ID: { schema: z.string().regex(BRIDGE_ID_PATTERN), expects: 'letters, digits, _ or - (at most 64)', meaning: 'names the bridge in the store and in every orderRef', default: 'main', scope: 'bridge', field: 'id' },
  BRIDGE_MODE: { schema: z.enum(['livetest', 'real']), expects: 'livetest or real', meaning: 'livetest (paper trading) or real (runmode livetrade, real money)', default: 'livetest', scope: 'bridge', field: 'mode' },
  BRIDGE_CONFIRM_REAL: { schema: yesNo, expects: 'yes to confirm real trading', meaning: 'real mode refuses to start unless yes', default: 'no', scope: 'process' },
  BRIDGE_VOLUME: { schema: decimal({ above: 0 }), expects: 'a decimal number > 0', meaning: 'volume of each order', default: '1', scope: 'bridge', field: 'volume' },
  BRIDGE_MAX_VOLUME: { schema: decimal({ above: 0 }).optional(), expects: 'a decimal number > 0', meaning: 'largest volume a signal may ask for (unset: BRIDGE_VOLUME)', scope: 'bridge', field: 'maxVolume' },
  BRIDGE_STRATEGY_TIMEOUT_MS: { schema: decimal({ integer: true, above: 0 }), expects: 'a whole number of ms > 0', meaning: 'how long a strategy may take to answer', default: '10000', scope: 'bridge', field: 'strategyTimeoutMs' },
  BRIDGE_POLICY: { schema: z.enum(['reopen', 'hold']), expects: 'reopen or hold', meaning: 'reopen: close and reopen each tick; hold: keep a trade the signal repeats', default: 'reopen', scope: 'bridge', field: 'policy' },
  BRIDGE_SCHEDULE: { schema: cronExpr, expects: 'a cron expression (5 fields, or 6 with seconds)', meaning: 'when to tick', default: '* * * * *', scope: 'bridge', field: 'schedule' },
  BRIDGE_MAX_ORDERS_PER_HOUR: { schema: decimal({ integer: true, above: 0 }).optional(), expects: 'a whole number > 0', meaning: 'circuit breaker: no open after this many orders in an hour', scope: 'bridge', field: 'maxOrdersPerHour' },
  BRIDGE_HALT_FILE: { schema: z.string().optional(), expects: 'a file path', meaning: 'while this file exists no order is opened', scope: 'bridge', field: 'haltFile' },
  BRIDGE_HALT_FLATTEN: { schema: yesNo, expects: 'yes or no', meaning: 'yes: while halted, also close the tracked trades', default: 'no', scope: 'bridge', field: 'haltFlatten' },
  BRIDGE_STORE: { schema: z.string().regex(/^(sqlite:\/\/.+|rediss?:\/\/.+|memory:\/\/.*)$/), expects: 'sqlite://path, redis://host:port or memory://', meaning: 'where trade IDs and leases are kept', default: 'sqlite://data/bridge.sqlite', scope: 'process' },
  BRIDGE_HTTP_TIMEOUT_MS: { schema: decimal({ integer: true, above: 0 }), expects: 'a whole number of ms > 0', meaning: 'timeout of each ALGOGENE call', default: '10000', scope: 'process' },
  BRIDGE_CONCURRENCY: { schema: decimal({ integer: true, above: 0 }), expects: 'a whole number > 0', meaning: 'how many bridges may tick at once', default: '32', scope: 'process' },
  BRIDGE_CALLS_PER_MINUTE: { schema: decimal({ integer: true, above: 0 }).optional(), expects: 'a whole number > 0', meaning: 'ALGOGENE calls per user and minute, shared by that user\'s bridges (unset: no budget)', scope: 'process' },
  BRIDGE_CONFIG: { schema: z.string().optional(), expects: 'the path of a bridges file (JSON5)', meaning: 'a file describing many bridges', scope: 'process' },
  BRIDGE_HTTP_HOST: { schema: z.string().regex(/^[A-Za-z0-9.:_-]+$/), expects: 'an address to listen on, such as 127.0.0.1', meaning: 'address of the status, metrics and actions server of run', default: '127.0.0.1', scope: 'process' },
  BRIDGE_HTTP_PORT: { schema: decimal({ integer: true, max: 65535 }), expects: 'a port number, 0 (off) to 65535', meaning: 'port of that server (0: no server)', default: '8787', scope: 'process' },
  BRIDGE_HTTP_TOKEN: { schema: z.string().min(16).optional(), expects: 'at least 16 characters (make one with: openssl rand -hex 32)', meaning: 'bearer token of the actions (close, halt, resume)', secret: true, scope: 'process' },
  BRIDGE_FLEET: { schema: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), expects: 'yes, no, or a fleet name (letters, digits, _ or -)', meaning: 'fleet mode: instances on one Redis share the bridges', default: 'no', scope: 'process' },
  BRIDGE_JOURNAL_RETENTION_DAYS: { schema: decimal({ integer: true, above: 0 }).optional(), expects: 'a whole number of days > 0', meaning: 'journal entries older than this are archived and dropped', scope: 'process' },
  BRIDGE_JOURNAL_ARCHIVE_DIR: { schema: z.string(), expects: 'a folder path', meaning: 'where archived journal entries go', default: 'data/journal-archive', scope: 'process' },
  BRIDGE_NOTIFY_WEBHOOK_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), expects: 'an http(s) URL', meaning: 'notifications: a webhook (HMAC-signed)', secret: true, scope: 'process' },
  BRIDGE_NOTIFY_WEBHOOK_SECRET: { schema: z.string().min(16).optional(), expects: 'at least 16 characters (the HMAC key)', meaning: 'notifications: the webhook HMAC key', secret: true, scope: 'process' },
  BRIDGE_NOTIFY_TELEGRAM_TOKEN: { schema: z.string().regex(/^\d+:[\w-]+$/).optional(), expects: 'a Telegram bot token (123456:ABC…)', meaning: 'notifications: a Telegram bot', secret: true, scope: 'process' },
  BRIDGE_NOTIFY_TELEGRAM_CHAT_ID: { schema: z.string().regex(/^-?\d+$|^@\w+$/).optional(), expects: 'a Telegram chat id (a number, or @channel)', meaning: 'notifications: the Telegram chat', scope: 'process' },
  BRIDGE_NOTIFY_TELEGRAM_API: { schema: z.url({ protocol: /^https?$/ }), expects: 'an http(s) URL', meaning: 'notifications: the Telegram API base URL', default: 'https://api.telegram.org', scope: 'process' },
  BRIDGE_NOTIFY_DISCORD_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), expects: 'a Discord webhook URL', meaning: 'notifications: a Discord webhook', secret: true, scope: 'process' },
  BRIDGE_NOTIFY_SLACK_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), expects: 'a Slack incoming webhook URL', meaning: 'notifications: a Slack webhook', secret: true, scope: 'process' },
  BRIDGE_NOTIFY_TRADES: { schema: yesNo, expects: 'yes or no', meaning: 'notifications: also every trade (not only problems)', default: 'no', scope: 'process' },
  BRIDGE_NOTIFY_FAILURES_IN_ROW: { schema: decimal({ integer: true, above: 0 }), expects: 'a whole number > 0', meaning: 'notify after this many failed ticks in a row', default: '3', scope: 'process' },
  BRIDGE_NOTIFY_DEDUPE_MINUTES: { schema: decimal({ min: 0 }), expects: 'a number of minutes >= 0', meaning: 'the same notification at most once per this many minutes', default: '10', scope: 'process' },
  LOG_LEVEL: { schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), expects: 'trace, debug, info, warn, error, fatal or silent', meaning: 'how much is logged', default: 'info', scope: 'process' },
} as const satisfies Record<string, VarSpec>;

export type VarName = keyof typeof VARS;

/** The BRIDGE_* and ALGOGENE_* names of `env` that are none of VARS: refused unless a strategy declares them. */
export function undeclaredNames(env: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(env).filter((name) => /^(BRIDGE_|ALGOGENE_)/.test(name) && !Object.hasOwn(VARS, name));
}
/** Each variable's parsed value (undefined when optional and unset, or required and missing for this command). */
export type VarValues = { readonly [K in VarName]: z.output<(typeof VARS)[K]['schema']> };

/** Variables that once existed: naming one says what replaced it instead of "unknown". */
export const RETIRED: Readonly<Record<string, string>> = {
  ALGOGENE_REAL_RUNMODE: 'no longer used: real mode always sends runmode livetrade, the only real-money runmode ALGOGENE documents; remove it',
  BRIDGE_WEBHOOK_HOST: "no longer read: POST /signal is served by run's HTTP server; set BRIDGE_HTTP_HOST instead",
  BRIDGE_WEBHOOK_PORT: "no longer read: POST /signal is served by run's HTTP server; set BRIDGE_HTTP_PORT instead",
};
