import cron from 'node-cron';
import { z } from 'zod';
import { readJson5 } from './config/read-json5.js';
import { BRIDGE_ID_PATTERN } from './config/vars.js';

export const BRIDGE_ID = BRIDGE_ID_PATTERN;

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
  shareAccount: 'true to let this bridge share its account and instrument with another',
  settings: "an object of the strategy's settings (BRIDGE_SEED, …) with string or number values",
};

// Built when a bridges file is read (once per process): a bridge from the environment alone never pays for it.
function fileSchema() {
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
    shareAccount: z.boolean(),
    settings: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)),
  };
  const defaultsSchema = z.object(fields).partial().strict();
  const bridgeSchema = defaultsSchema.extend({ id: z.string().regex(BRIDGE_ID) }).strict();
  return z.object({ bridges: z.array(bridgeSchema).min(1), defaults: defaultsSchema.optional() }).strict();
}

/** One bridge as the file gives it: its own fields over the file's `defaults`. */
export type FileBridge = z.output<ReturnType<typeof fileSchema>>['bridges'][number];

/**
 * BRIDGE_CONFIG's text (JSON5: comments and trailing commas welcome): many bridges (strategy ×
 * account × instrument) in one process. Returns each bridge with the file's defaults applied,
 * or the problems, each naming the bridge and field (`bridges[3].volume: …`) or the line and
 * column of a syntax error. The environment's part is config's.
 */
export function parseBridgesFile(text: string): { bridges: FileBridge[] } | { problems: string[] } {
  const read = readJson5(text);
  if ('error' in read) return { problems: [`BRIDGE_CONFIG: not valid JSON5: ${read.error}`] };
  const parsed = fileSchema().safeParse(read.value);
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
  parsed.data.bridges.forEach((entry, i) => {
    if (seen.has(entry.id)) problems.push(`BRIDGE_CONFIG bridges[${i}].id: ${entry.id} is used twice`);
    seen.add(entry.id);
  });
  if (problems.length > 0) return { problems };
  const defaults = parsed.data.defaults ?? {};
  return {
    bridges: parsed.data.bridges.map((entry) => ({ ...defaults, ...entry, settings: { ...defaults.settings, ...entry.settings } })),
  };
}

/** The strategies a bridges file names, read leniently (config reports its problems): the CLI loads their settings first. */
export function strategiesOfBridgesFile(text: string): string[] {
  const read = readJson5(text);
  if ('error' in read || !read.value || typeof read.value !== 'object') return [];
  const doc = read.value as { bridges?: unknown; defaults?: { strategy?: unknown } };
  const all = [doc.defaults?.strategy, ...(Array.isArray(doc.bridges) ? doc.bridges.map((b: { strategy?: unknown } | null) => b?.strategy) : [])];
  return all.filter((s): s is string => typeof s === 'string' && s.trim() !== '');
}
