import cron from 'node-cron';
import { z } from 'zod';
import type { BridgeConfig } from './config.js';

export const BRIDGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What each field expects, said the same way as the environment's messages. */
const EXPECTS: Record<string, string> = {
  id: 'letters, digits, _ or - (at most 64)',
  account: 'the ALGOGENE account id',
  instrument: 'an instrument such as BTCUSD',
  volume: 'a number > 0',
  strategy: 'a strategy name, command:…, file:…, webhook or a .js path',
  strategyTimeoutMs: 'a whole number of ms > 0',
  policy: 'reopen or hold',
  schedule: 'a cron expression (5 fields, or 6 with seconds)',
  mode: 'livetest or real',
  userEnv: 'the name of an environment variable holding the ALGOGENE user',
  apiKeyEnv: 'the name of an environment variable holding the API key',
  maxVolume: 'a number > 0',
  maxOrdersPerHour: 'a whole number > 0',
  haltFile: 'a file path',
  haltFlatten: 'true or false',
  settings: 'an object of strategy settings (BRIDGE_SEED, …) with string or number values',
};

const fields = {
  account: z.string().min(1),
  instrument: z.string().regex(/^[A-Za-z0-9._-]+$/),
  volume: z.number().positive().finite(),
  strategy: z.string().min(1),
  strategyTimeoutMs: z.number().int().positive(),
  policy: z.enum(['reopen', 'hold']),
  schedule: z.string().refine((s) => cron.validate(s)),
  mode: z.enum(['livetest', 'real']),
  userEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  maxVolume: z.number().positive().finite(),
  maxOrdersPerHour: z.number().int().positive(),
  haltFile: z.string().min(1),
  haltFlatten: z.boolean(),
  settings: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)),
};

const defaultsSchema = z.object(fields).partial().strict();
const bridgeSchema = defaultsSchema.extend({ id: z.string().regex(BRIDGE_ID) }).strict();
const fileSchema = z.object({ bridges: z.array(bridgeSchema).min(1), defaults: defaultsSchema.optional() }).strict();

export interface BridgesFileContext {
  /** The bridge the environment describes: every field a file bridge leaves out comes from it. */
  readonly base: Omit<BridgeConfig, 'id' | 'accountId' | 'user' | 'apiKey'> & { accountId?: string; user?: string; apiKey?: string };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly realRunmode: string;
}

/**
 * BRIDGE_CONFIG's JSON: many bridges (strategy × account × instrument) in one process. Returns
 * the bridges, or the problems, each naming the bridge and field (`bridges[3].volume: …`).
 */
export function parseBridgesFile(text: string, ctx: BridgesFileContext): { bridges: BridgeConfig[] } | { problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problems: [`BRIDGE_CONFIG: not valid JSON: ${(error as Error).message}`] };
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => {
        const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
        const field = [...issue.path].reverse().find((p) => typeof p === 'string' && p in EXPECTS) as string | undefined;
        const expects = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : field ? `expected ${EXPECTS[field]}` : issue.message;
        return `BRIDGE_CONFIG ${where || '(file)'}: ${expects}`;
      }),
    };
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const bridges: BridgeConfig[] = [];
  parsed.data.bridges.forEach((entry, i) => {
    const at = `BRIDGE_CONFIG bridges[${i}]`;
    if (seen.has(entry.id)) problems.push(`${at}.id: ${entry.id} is used twice`);
    seen.add(entry.id);
    const merged = { ...parsed.data.defaults, ...entry };
    const user = merged.userEnv ? ctx.env[merged.userEnv] : ctx.base.user;
    const apiKey = merged.apiKeyEnv ? ctx.env[merged.apiKeyEnv] : ctx.base.apiKey;
    const accountId = merged.account ?? ctx.base.accountId;
    if (!user) problems.push(`${at}.userEnv: ${merged.userEnv ?? 'ALGOGENE_USER'} is not set`);
    if (!apiKey) problems.push(`${at}.apiKeyEnv: ${merged.apiKeyEnv ?? 'ALGOGENE_API_KEY'} is not set`);
    if (!accountId) problems.push(`${at}.account: required, expected ${EXPECTS.account}`);
    const mode = merged.mode ?? ctx.base.mode;
    const volume = merged.volume ?? ctx.base.volume;
    const maxVolume = merged.maxVolume ?? ctx.base.maxVolume;
    if (maxVolume !== undefined && volume > maxVolume) problems.push(`${at}.volume: ${volume} is above maxVolume ${maxVolume}`);
    bridges.push({
      ...ctx.base,
      id: entry.id,
      user: user ?? '',
      apiKey: apiKey ?? '',
      accountId: accountId ?? '',
      mode,
      runmode: mode === 'real' ? ctx.realRunmode : 'livetest',
      instrument: merged.instrument ?? ctx.base.instrument,
      volume,
      strategy: merged.strategy ?? ctx.base.strategy,
      strategyTimeoutMs: merged.strategyTimeoutMs ?? ctx.base.strategyTimeoutMs,
      policy: merged.policy ?? ctx.base.policy,
      schedule: merged.schedule ?? ctx.base.schedule,
      maxVolume,
      maxOrdersPerHour: merged.maxOrdersPerHour ?? ctx.base.maxOrdersPerHour,
      haltFile: merged.haltFile ?? ctx.base.haltFile,
      haltFlatten: merged.haltFlatten ?? ctx.base.haltFlatten,
      settings: { ...ctx.base.settings, ...merged.settings },
    });
  });
  return problems.length > 0 ? { problems } : { bridges };
}
