/**
 * The bridge in this process against a simulator started by the test, with a captured log: for tests that drive
 * bridge.tick() directly (no cron, no child process, no waiting).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type AlgogeneClient } from '../../src/algogene/create-client.js';
import type { BridgeEvents } from '../../src/journal/bridge-events.js';
import { createHttp } from '../../src/algogene/create-http.js';
import { createSessionTokens } from '../../src/algogene/session-tokens.js';
import { createBridge, type Bridge } from '../../src/bridge/create-bridge.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createBridgeState, type BridgeStateDoc } from '../../src/store/bridge-state.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import { loadStrategy } from '../../src/strategy/load-strategy.js';
import { loadStrategyCatalog } from '../../src/strategy/strategy-catalog.js';
import type { Strategy } from '../../src/strategy/types.js';
import type { Simulator } from '../../src/sim/index.js';
import { captureLog, type CapturedLog } from './capture-log.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built-in random strategy, compiled: the loader finds built-ins as .js beside dist/src, so from the sources we name the file. */
export const RANDOM_STRATEGY = path.join(ROOT, 'dist/strategies/random.js');
/** Answers BRIDGE_TEST_SIGNAL: BUY, SELL, NONE, THROW, HANG or a JSON signal. */
export const FIXED_SIGNAL = path.join(ROOT, 'test/fixtures/fixed-signal.mjs');

/** A temp dir removed by removeTempDirs(). */
const dirs: string[] = [];
export function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sb-${label}-`));
  dirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The environment of one bridge on `sim` (user demo), `overrides` win. */
export function simEnv(sim: Simulator, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ALGOGENE_BASE_URL: sim.url,
    ALGOGENE_USER: 'demo',
    ALGOGENE_API_KEY: 'demo-key',
    ALGOGENE_ACCOUNT_ID: `acct-${Math.random().toString(36).slice(2, 10)}`,
    BRIDGE_ID: 'b1',
    BRIDGE_STORE: 'memory://',
    BRIDGE_STRATEGY: FIXED_SIGNAL,
    BRIDGE_INSTRUMENT: 'BTCUSD',
    BRIDGE_TEST_SIGNAL: 'NONE',
    BRIDGE_HTTP_TIMEOUT_MS: '1000',
    BRIDGE_STRATEGY_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'info',
    ...overrides,
  };
  // BRIDGE_TEST_SIGNAL is the fixed-signal strategy's setting: any other strategy would refuse it as unknown.
  if (env.BRIDGE_STRATEGY !== FIXED_SIGNAL && !('BRIDGE_TEST_SIGNAL' in overrides)) delete env.BRIDGE_TEST_SIGNAL;
  return env;
}

export interface SimBridge {
  readonly config: Config;
  readonly bridge: Bridge;
  readonly store: Store;
  readonly logs: CapturedLog;
  /** The bridge's record in the store, read now. */
  load(): Promise<BridgeStateDoc>;
  close(): Promise<void>;
}

export interface SimBridgeOptions {
  /** The bridge's clock (ticks, intents, settle times, the hourly order count); the wall clock when absent. */
  readonly now?: () => number;
  /** How long a lost order may take to appear; open-runtime's HTTP timeout + 5 s when absent. */
  readonly settleMs?: number;
  /** Instead of the strategy BRIDGE_STRATEGY names. */
  readonly strategy?: Strategy;
  /** The bridge's event sink (the journal's), made on the bridge's store and client. */
  readonly events?: (store: Store, client: AlgogeneClient) => BridgeEvents | Promise<BridgeEvents>;
}

/**
 * One bridge wired the way src/cli/open-runtime.ts wires it (config from `env`, one keep-alive agent, session
 * tokens, client, store, the strategy BRIDGE_STRATEGY names), with two knobs the CLI does not expose: the clock and
 * the settle time.
 */
export async function openSimBridge(env: Record<string, string | undefined>, options: SimBridgeOptions = {}): Promise<SimBridge> {
  if (env.BRIDGE_STRATEGY === RANDOM_STRATEGY && !existsSync(RANDOM_STRATEGY)) throw new Error(`${RANDOM_STRATEGY} is missing: run \`npm run build\` first`);
  // The strategy's module declares its settings (BRIDGE_TEST_SIGNAL, BRIDGE_SEED): config refuses undeclared ones.
  const config = loadConfig(env, { strategies: await loadStrategyCatalog(env.BRIDGE_STRATEGY ? [env.BRIDGE_STRATEGY] : []) });
  const bridgeConfig = config.bridges[0]!;
  const logs = captureLog({ level: config.logLevel });
  logs.secrets.add(bridgeConfig.apiKey);
  const http = createHttp({ baseUrl: config.baseUrl, timeoutMs: config.httpTimeoutMs, maxSockets: 2 * config.concurrency });
  const store = await createStore(config.store);
  const log = logs.log.child({ bridge: bridgeConfig.id });
  const tokens = createSessionTokens({ http, log: logs.log.child({ module: 'session' }), secrets: logs.secrets, user: bridgeConfig.user, apiKey: bridgeConfig.apiKey });
  const account = { user: bridgeConfig.user, apiKey: bridgeConfig.apiKey, accountId: bridgeConfig.accountId, runmode: bridgeConfig.runmode };
  const client = createClient({ http, log: log.child({ module: 'algogene' }), tokens, account });
  const strategy = options.strategy ?? await loadStrategy(bridgeConfig.strategy, { settings: bridgeConfig.settings, log: log.child({ module: 'strategy' }) });
  const state = createBridgeState(store, bridgeConfig.id);
  const bridge = createBridge({
    config: bridgeConfig,
    client,
    state,
    strategy,
    log,
    settleMs: options.settleMs ?? config.httpTimeoutMs + 5_000,
    now: options.now,
    events: await options.events?.(store, client),
  });
  return {
    config,
    bridge,
    store,
    logs,
    load: () => state.load(),
    async close() {
      await bridge.close();
      await store.close();
      http.close();
    },
  };
}
