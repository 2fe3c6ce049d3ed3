import { readFileSync } from 'node:fs';
import { parseBridgesFile, type FileBridge } from './bridges-file.js';
import { ConfigError } from './config-error.js';
import { didYouMean } from './config/did-you-mean.js';
import { EMPTY_CATALOG, type Setting, type StrategyCatalog } from './config/setting.js';
import { RETIRED, undeclaredNames, VARS, type VarName, type VarSpec, type VarValues } from './config/vars.js';

export type Mode = 'livetest' | 'real';
export type Policy = 'reopen' | 'hold';
/** Where an effective value came from; `check` shows it beside the value. */
export type Source = 'environment' | '.env' | 'bridges file' | 'default';

export interface BridgeConfig {
  readonly id: string;
  readonly user: string;
  readonly apiKey: string;
  readonly accountId: string;
  readonly mode: Mode;
  /** The runmode string sent to ALGOGENE: "livetest", or "livetrade" in real mode. */
  readonly runmode: string;
  /** '' for status and close when none is configured: they act on what the store tracks. */
  readonly instrument: string;
  readonly volume: number;
  /** '' for status and close when none is configured: they ask no strategy. */
  readonly strategy: string;
  readonly strategyTimeoutMs: number;
  readonly policy: Policy;
  readonly schedule: string;
  /** The largest volume a signal may ask for: BRIDGE_MAX_VOLUME, or BRIDGE_VOLUME when unset. */
  readonly maxVolume?: number;
  readonly maxOrdersPerHour?: number;
  readonly haltFile?: string;
  readonly haltFlatten: boolean;
  /** The bridges file says this bridge may share its account and instrument with another. */
  readonly shareAccount?: boolean;
  /** The strategy's declared settings (defaults applied), plus BRIDGE_POLICY, BRIDGE_VOLUME and BRIDGE_MAX_VOLUME, which adapters check early. */
  readonly settings: Readonly<Record<string, string | undefined>>;
}

/** One line of `check`'s effective configuration. Secret values are masked here already. */
export interface EffectiveValue {
  readonly name: string;
  readonly value: string;
  readonly source: Source;
  readonly meaning: string;
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
  /** Every declared variable's parsed value (process-wide ones such as BRIDGE_HTTP_PORT are read here). */
  readonly vars: VarValues;
  /** Per bridge id: every value in effect and where it came from. */
  readonly effective: Readonly<Record<string, readonly EffectiveValue[]>>;
  /** Values that must never reach an output: API keys and secret settings. */
  readonly secrets: readonly string[];
  /** Strategy settings set in the environment that no bridge's strategy reads (left from another strategy?): `check` says so. */
  readonly unused: readonly string[];
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
  /** trading (run, once, check: the default) needs BRIDGE_STRATEGY and BRIDGE_INSTRUMENT; inspect (status, close) does not. */
  purpose?: 'trading' | 'inspect';
  /** The settings each strategy declares; without it no strategy setting is known. */
  strategies?: StrategyCatalog;
  /** Which names of `env` came from a .env file (the rest from the environment), and where it was looked for. */
  envFile?: { readonly path?: string; readonly names: ReadonlySet<string>; readonly lookedIn?: string };
}

type Env = Readonly<Record<string, string | undefined>>;
type Found = { value: unknown; text?: string; source: Source } | undefined;
const MASK = '********';

/**
 * The environment (and, with BRIDGE_CONFIG, a bridges file) turned into one validated, frozen
 * config. Reads nothing but `env` and that file, so tests pass their own. Every problem is
 * collected and thrown at once as a ConfigError, one line each, naming the variable.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const catalog = options.strategies ?? EMPTY_CATALOG;
  const purpose = options.purpose ?? 'trading';
  const problems: string[] = [];
  const apiKey = blank(env.ALGOGENE_API_KEY);
  const sourceOf = (name: string): Source => (options.envFile?.names.has(name) ? '.env' : 'environment');

  // 1. No unknown name: a typo must never leave a default in its place.
  const known = new Set<string>([...Object.keys(VARS), ...catalog.all().map((s) => s.name)]);
  for (const name of undeclaredNames(env).sort()) {
    if (known.has(name)) continue;
    const hint = didYouMean(name, known);
    problems.push(RETIRED[name] ? `${name}: ${RETIRED[name]}` : `${name}: unknown variable${hint ? `; did you mean ${hint}?` : ' (see .env.example for the variables that exist)'}`);
  }

  // 2. Each declared variable from the environment, or its default.
  const found = {} as Record<VarName, Found>;
  const failed = new Set<string>();
  for (const [name, spec] of Object.entries(VARS) as [VarName, VarSpec][]) {
    const raw = blank(env[name]);
    const text = raw ?? spec.default;
    if (text === undefined) continue;
    const parsed = spec.schema.safeParse(text);
    if (parsed.success) found[name] = { value: parsed.data, text, source: raw === undefined ? 'default' : sourceOf(name) };
    else {
      failed.add(name);
      problems.push(wrong(name, text, spec.expects, 'secret' in spec || (apiKey !== undefined && text.includes(apiKey))));
    }
  }
  const vars = Object.fromEntries(Object.keys(VARS).map((k) => [k, found[k as VarName]?.value])) as unknown as VarValues;

  // 3. The bridges: the environment's one, or the file's.
  let entries: (FileBridge | undefined)[] = [undefined];
  if (vars.BRIDGE_CONFIG !== undefined) {
    let text: string;
    try {
      text = (options.readFile ?? ((path) => readFileSync(path, 'utf8')))(vars.BRIDGE_CONFIG);
    } catch (error) {
      throw new ConfigError([...problems, `BRIDGE_CONFIG: cannot read ${vars.BRIDGE_CONFIG}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the path)`]);
    }
    const parsed = parseBridgesFile(text);
    if ('problems' in parsed) throw new ConfigError([...problems, ...parsed.problems]);
    entries = parsed.bridges;
  }

  const bridges: BridgeConfig[] = [];
  const effective: Record<string, EffectiveValue[]> = {};
  // Most rows are the same for every bridge (a default, a shared variable): one object each, not one
  // per bridge, which at 10,000 bridges was 20 MB of identical rows.
  const sharedRows = new Map<string, EffectiveValue>();
  const share = (row: EffectiveValue) => {
    const key = `${row.name}\u0000${row.value}\u0000${row.source}\u0000${row.meaning}`;
    const known = sharedRows.get(key);
    if (known) return known;
    sharedRows.set(key, row);
    return row;
  };
  const secrets = new Set<string>();
  let missingRequired = false;
  for (const [i, entry] of entries.entries()) {
    const at = entry ? `BRIDGE_CONFIG bridges[${i}]` : '';
    const rows: EffectiveValue[] = [];
    const get = (name: VarName): unknown => {
      const spec: VarSpec = VARS[name];
      let f: Found = found[name];
      if (entry && spec.field && spec.field in entry) {
        const given = (entry as Record<string, unknown>)[spec.field];
        // userEnv / apiKeyEnv name the variable that holds the value.
        if (spec.field.endsWith('Env')) {
          const held = blank(env[given as string]);
          if (held === undefined) {
            problems.push(`${at}.${spec.field}: ${String(given)} is not set`);
            return undefined;
          }
          f = { value: held, text: held, source: sourceOf(given as string) };
        } else f = { value: given, text: String(given), source: 'bridges file' };
      }
      if (f === undefined) {
        if (failed.has(name)) return undefined;
        if (!spec.required) rows.push({ name, value: '(unset)', source: 'default', meaning: spec.meaning });
        if (spec.required === 'always' || (spec.required === 'trading' && purpose === 'trading')) {
          missingRequired = true;
          problems.push(`${entry && spec.field ? `${at}.${spec.field}` : name}: required, expected ${spec.expects}${entry && spec.field ? ` (or set ${name})` : ''}`);
        }
        return undefined;
      }
      const shown = 'secret' in spec ? MASK : f.text ?? String(f.value);
      rows.push({ name, value: shown, source: f.source, meaning: spec.meaning });
      return f.value;
    };
    const id = (entry?.id ?? get('BRIDGE_ID')) as string;
    if (entry) rows.push({ name: 'BRIDGE_ID', value: id, source: 'bridges file', meaning: VARS.BRIDGE_ID.meaning });
    for (const name of Object.keys(VARS) as VarName[]) if (VARS[name].scope === 'process') get(name);
    const user = get('ALGOGENE_USER') as string | undefined;
    const key = get('ALGOGENE_API_KEY') as string | undefined;
    const accountId = get('ALGOGENE_ACCOUNT_ID') as string | undefined;
    const strategy = (get('BRIDGE_STRATEGY') as string | undefined) ?? '';
    const instrument = (get('BRIDGE_INSTRUMENT') as string | undefined) ?? '';
    const mode = get('BRIDGE_MODE') as Mode;
    const volume = get('BRIDGE_VOLUME') as number;
    const maxVolumeSet = get('BRIDGE_MAX_VOLUME') as number | undefined;
    const haltFlatten = get('BRIDGE_HALT_FLATTEN');
    const bridge: BridgeConfig = {
      id,
      user: user ?? '',
      apiKey: key ?? '',
      accountId: accountId ?? '',
      mode,
      runmode: mode === 'real' ? 'livetrade' : 'livetest',
      instrument,
      volume,
      strategy,
      strategyTimeoutMs: get('BRIDGE_STRATEGY_TIMEOUT_MS') as number,
      policy: get('BRIDGE_POLICY') as Policy,
      schedule: get('BRIDGE_SCHEDULE') as string,
      maxVolume: maxVolumeSet ?? volume,
      maxOrdersPerHour: get('BRIDGE_MAX_ORDERS_PER_HOUR') as number | undefined,
      haltFile: get('BRIDGE_HALT_FILE') as string | undefined,
      haltFlatten: haltFlatten === true || haltFlatten === 'yes',
      shareAccount: entry?.shareAccount,
      settings: {},
    };
    if (maxVolumeSet === undefined) {
      const at = rows.findIndex((r) => r.name === 'BRIDGE_MAX_VOLUME');
      rows.splice(at, 1, { name: 'BRIDGE_MAX_VOLUME', value: `${volume} (BRIDGE_VOLUME)`, source: 'default', meaning: VARS.BRIDGE_MAX_VOLUME.meaning });
    }
    else if (volume > maxVolumeSet) problems.push(`${entry ? `${at}.volume` : 'BRIDGE_VOLUME'}: ${volume} is above ${entry ? 'maxVolume' : 'BRIDGE_MAX_VOLUME'} ${maxVolumeSet}`);
    if (key) secrets.add(key);

    const settings = strategySettings(strategy, catalog, env, entry?.settings, sourceOf, at, problems, rows, secrets);
    bridges.push({
      ...bridge,
      settings: { ...settings, BRIDGE_POLICY: bridge.policy, BRIDGE_VOLUME: String(volume), BRIDGE_MAX_VOLUME: String(bridge.maxVolume) },
    });
    effective[id] = rows.map(share);
  }
  for (const [name, spec] of Object.entries(VARS) as [VarName, VarSpec][]) {
    const value = found[name]?.value;
    if (spec.secret && typeof value === 'string') secrets.add(value);
  }
  problems.push(...sharedAccounts(bridges));
  const read = new Set(bridges.flatMap((b) => Object.keys(b.settings)));
  const unused = catalog.all().map((s) => s.name).filter((name, i, all) => all.indexOf(name) === i && blank(env[name]) !== undefined && !read.has(name));
  if (missingRequired && options.envFile && options.envFile.path === undefined) {
    problems.push(`.env: no .env file in ${options.envFile.lookedIn ?? 'the working directory'}: copy .env.example to .env and fill it in, or name one with --env PATH`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const realConfirmed = options.confirmReal === true || vars.BRIDGE_CONFIRM_REAL === 'yes';
  const real = bridges.filter((b) => b.mode === 'real').map((b) => b.id);
  if (real.length > 0 && !realConfirmed) {
    throw new ConfigError([
      `BRIDGE_MODE=real (bridge ${real.join(', ')}) publishes orders on a broker-connected account with real money: confirm with BRIDGE_CONFIRM_REAL=yes or --confirm-real`,
    ]);
  }
  if (vars.BRIDGE_HTTP_PORT !== 0 && !isLoopback(vars.BRIDGE_HTTP_HOST) && vars.BRIDGE_HTTP_TOKEN === undefined) {
    throw new ConfigError([`BRIDGE_HTTP_TOKEN: required when BRIDGE_HTTP_HOST=${vars.BRIDGE_HTTP_HOST} is not a loopback address (anyone who reaches the port could flatten the bridges); or set BRIDGE_HTTP_PORT=0 to serve nothing`]);
  }
  return deepFreeze({
    baseUrl: vars.ALGOGENE_BASE_URL,
    httpTimeoutMs: vars.BRIDGE_HTTP_TIMEOUT_MS,
    store: vars.BRIDGE_STORE,
    logLevel: vars.LOG_LEVEL,
    concurrency: vars.BRIDGE_CONCURRENCY,
    callsPerMinute: vars.BRIDGE_CALLS_PER_MINUTE,
    fleet: vars.BRIDGE_FLEET === 'no' ? undefined : vars.BRIDGE_FLEET === 'yes' ? 'default' : vars.BRIDGE_FLEET,
    bridges,
    http: { host: vars.BRIDGE_HTTP_HOST, port: vars.BRIDGE_HTTP_PORT, token: vars.BRIDGE_HTTP_TOKEN },
    journal: { retentionDays: vars.BRIDGE_JOURNAL_RETENTION_DAYS, archiveDir: vars.BRIDGE_JOURNAL_ARCHIVE_DIR },
    notify: {
      webhookUrl: vars.BRIDGE_NOTIFY_WEBHOOK_URL,
      webhookSecret: vars.BRIDGE_NOTIFY_WEBHOOK_SECRET,
      telegramToken: vars.BRIDGE_NOTIFY_TELEGRAM_TOKEN,
      telegramChatId: vars.BRIDGE_NOTIFY_TELEGRAM_CHAT_ID,
      telegramApi: vars.BRIDGE_NOTIFY_TELEGRAM_API,
      discordUrl: vars.BRIDGE_NOTIFY_DISCORD_URL,
      slackUrl: vars.BRIDGE_NOTIFY_SLACK_URL,
      trades: vars.BRIDGE_NOTIFY_TRADES === 'yes',
      failuresInRow: vars.BRIDGE_NOTIFY_FAILURES_IN_ROW,
      dedupeMinutes: vars.BRIDGE_NOTIFY_DEDUPE_MINUTES,
    },
    vars,
    effective,
    secrets: [...secrets],
    unused,
  });
}

/**
 * The settings that `strategy` declares, each from the bridges file's `settings`, else the
 * environment, else its default, validated by its schema. A `settings` key the strategy does
 * not declare is refused with the closest name it does.
 */
function strategySettings(
  strategy: string,
  catalog: StrategyCatalog,
  env: Env,
  fromFile: Readonly<Record<string, string>> | undefined,
  sourceOf: (name: string) => Source,
  at: string,
  problems: string[],
  rows: EffectiveValue[],
  secrets: Set<string>,
): Record<string, string> {
  if (strategy === '') return {};
  const declared: readonly Setting[] = catalog.settingsOf(strategy) ?? [];
  const out: Record<string, string> = {};
  for (const name of Object.keys(fromFile ?? {})) {
    if (declared.some((s) => s.name === name)) continue;
    const hint = didYouMean(name, declared.map((s) => s.name));
    const have = declared.length > 0 ? ` (it has ${declared.map((s) => s.name).join(', ')})` : ' (it declares none)';
    problems.push(`${at}.settings.${name}: not a setting of strategy ${strategy}${hint ? `; did you mean ${hint}?` : have}`);
  }
  for (const setting of declared) {
    const inFile = blank(fromFile?.[setting.name]);
    const inEnv = blank(env[setting.name]);
    const text = inFile ?? inEnv ?? setting.default;
    const where = inFile !== undefined ? `${at}.settings.${setting.name}` : setting.name;
    if (text === undefined) {
      if (!setting.optional) problems.push(`${where}: required by strategy ${strategy}, expected ${setting.expects ?? 'a value'}`);
      continue;
    }
    const parsed = setting.schema ? setting.schema.safeParse(text) : { success: true };
    if (!parsed.success) {
      problems.push(wrong(where, text, setting.expects ?? 'a valid value', setting.secret === true));
      continue;
    }
    out[setting.name] = text;
    if (setting.secret) secrets.add(text);
    const source: Source = inFile !== undefined ? 'bridges file' : inEnv !== undefined ? sourceOf(setting.name) : 'default';
    rows.push({ name: setting.name, value: setting.secret ? MASK : text, source, meaning: setting.meaning });
  }
  return out;
}

/** Two bridges on one account and instrument: one's close could undo the other's position for the investors. */
function sharedAccounts(bridges: readonly BridgeConfig[]): string[] {
  const groups = new Map<string, BridgeConfig[]>();
  for (const b of bridges) {
    if (b.instrument === '') continue;
    const key = `${b.user}\u0000${b.accountId}\u0000${b.runmode}\u0000${b.instrument}`;
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  const problems: string[] = [];
  for (const group of groups.values()) {
    if (group.length < 2 || group.every((b) => b.shareAccount === true)) continue;
    problems.push(
      `BRIDGE_CONFIG: bridges ${group.map((b) => b.id).join(', ')} all trade ${group[0]!.instrument} on account ${group[0]!.accountId}: one bridge's close could undo another's position; give each its own account or instrument, or set "shareAccount": true on each of them if that is meant`,
    );
  }
  return problems;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this host only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function blank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function wrong(name: string, text: string, expects: string, secret: boolean): string {
  return `${name}: expected ${expects}${secret ? '' : `, got ${JSON.stringify(text)}`}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
