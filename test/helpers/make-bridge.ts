/**
 * The publish cycle wired the way src/cli/open-runtime.ts wires it (one HTTP agent, session
 * tokens, client, bridge state over a store, createBridge), against the fake ALGOGENE API and
 * with a captured log.
 */
import { createClient, type AlgogeneClient } from '../../src/algogene/create-client.js';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { createSessionTokens, type SessionTokens } from '../../src/algogene/session-tokens.js';
import { createBridge, type Bridge } from '../../src/bridge/create-bridge.js';
import type { TickResult } from '../../src/bridge/run-tick.js';
import { loadConfig, type BridgeConfig, type Config } from '../../src/config.js';
import { catalogFrom } from '../../src/config/setting.js';
import { settings as commandSettings } from '../../strategies/command.js';
import { settings as fileSettings } from '../../strategies/file.js';
import { settings as randomSettings } from '../../strategies/random.js';
import { settings as smaCrossSettings } from '../../strategies/sma-cross.js';
import { settings as webhookSettings } from '../../strategies/webhook.js';
import { createBridgeState, type BridgeState, type BridgeStateDoc, type TrackedTrade } from '../../src/store/bridge-state.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import type { Strategy, StrategyAnswer, StrategyContext } from '../../src/strategy/types.js';
import { vi } from 'vitest';
import { captureLog, type CapturedLog } from './capture-log.js';
import { ACCOUNT, API_KEY, BASE_URL, USER } from './fake-algogene.js';

/** A valid environment for loadConfig; `overrides` win. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ALGOGENE_BASE_URL: BASE_URL,
    ALGOGENE_USER: USER,
    ALGOGENE_API_KEY: API_KEY,
    ALGOGENE_ACCOUNT_ID: ACCOUNT,
    BRIDGE_ID: 'b1',
    BRIDGE_STRATEGY: 'random',
    BRIDGE_INSTRUMENT: 'BTCUSD',
    BRIDGE_STORE: 'memory://',
    BRIDGE_STRATEGY_TIMEOUT_MS: '1000',
    BRIDGE_HTTP_TIMEOUT_MS: '2000',
    ...overrides,
  };
}

/** A strategy that answers `answer` each tick (or the next of `answers`, then nothing), counting its calls. */
export function fixedStrategy(...answers: (StrategyAnswer | (() => StrategyAnswer | Promise<StrategyAnswer>))[]): Strategy & { calls: StrategyContext[] } {
  const calls: StrategyContext[] = [];
  return {
    name: 'fixed',
    calls,
    decide(ctx) {
      calls.push(ctx);
      const next = answers.length > 1 ? answers.shift() : answers[0];
      return typeof next === 'function' ? next() : (next ?? null);
    },
  };
}

/**
 * Resolves once the log shows `count` finished calls to `endpoint` and the replies have been
 * handled. A strategy that awaits this answers after the tick's query of its tracked trade, as a
 * strategy that takes any time at all does; one that answers at once races the query.
 */
export async function afterCall(logs: CapturedLog, endpoint: string, count = 1): Promise<void> {
  await vi.waitFor(
    () => {
      const done = logs.lines().filter((l) => l.endpoint === endpoint && (l.msg === 'api call' || l.msg === 'api call failed'));
      if (done.length < count) throw new Error(`waiting for ${endpoint}`);
    },
    { timeout: 5_000, interval: 5 },
  );
  await new Promise((resolve) => setImmediate(resolve));
}

/** A strategy that answers `answer` once the tick's query has reached `endpoint`. */
export function answerAfter(endpoint: string, answer: StrategyAnswer): (logs: CapturedLog) => Strategy & { calls: StrategyContext[] } {
  return (logs) =>
    fixedStrategy(async () => {
      await afterCall(logs, endpoint);
      return answer;
    });
}

export interface TestBridge {
  readonly config: Config;
  readonly bridgeConfig: BridgeConfig;
  readonly bridge: Bridge;
  readonly client: AlgogeneClient;
  readonly tokens: SessionTokens;
  readonly state: BridgeState;
  readonly store: Store;
  readonly http: Http;
  readonly logs: CapturedLog;
  tick(at?: Date): Promise<TickResult>;
  /** Puts a trade in the store as if an earlier tick had opened it. */
  track(trade: Partial<TrackedTrade> & { tradeId: string }): Promise<void>;
  load(): Promise<BridgeStateDoc>;
  close(): Promise<void>;
}

export interface MakeBridgeOptions {
  /** A strategy, or a function making one that may watch the captured log (see `afterCall`). */
  strategy?: Strategy | ((logs: CapturedLog) => Strategy);
  env?: Record<string, string>;
  dryRun?: boolean;
  settleMs?: number;
  /** The bridge's clock (default Date.now): a test moves it past a settle window instead of sleeping through it. */
  now?: () => number;
}

export async function makeBridge(options: MakeBridgeOptions = {}): Promise<TestBridge> {
  // The built-ins' declared settings, so that a test may set (say) BRIDGE_SMA_FAST beside the strategy object it passes.
  const strategies = catalogFrom({ random: randomSettings, 'sma-cross': smaCrossSettings, command: commandSettings, file: fileSettings, webhook: webhookSettings });
  const config = loadConfig(testEnv(options.env), { strategies });
  const bridgeConfig = config.bridges[0] as BridgeConfig;
  const logs = captureLog();
  logs.secrets.add(bridgeConfig.apiKey);
  const http = createHttp({ baseUrl: config.baseUrl, timeoutMs: config.httpTimeoutMs, maxSockets: 2 * config.concurrency });
  const tokens = createSessionTokens({ http, log: logs.log.child({ module: 'session' }), secrets: logs.secrets, user: bridgeConfig.user, apiKey: bridgeConfig.apiKey });
  const bridgeLog = logs.log.child({ bridge: bridgeConfig.id });
  const account = { user: bridgeConfig.user, apiKey: bridgeConfig.apiKey, accountId: bridgeConfig.accountId, runmode: bridgeConfig.runmode };
  const client = createClient({ http, log: bridgeLog.child({ module: 'algogene' }), tokens, account });
  const store = await createStore(config.store);
  const state = createBridgeState(store, bridgeConfig.id);
  const bridge = createBridge({
    config: bridgeConfig,
    client,
    state,
    strategy: typeof options.strategy === 'function' ? options.strategy(logs) : (options.strategy ?? fixedStrategy(null)),
    log: bridgeLog,
    dryRun: options.dryRun,
    settleMs: options.settleMs ?? config.httpTimeoutMs + 5_000,
    now: options.now,
  });
  return {
    config,
    bridgeConfig,
    bridge,
    client,
    tokens,
    state,
    store,
    http,
    logs,
    tick: (at = new Date()) => bridge.tick(at),
    async track(trade) {
      const doc = await state.load();
      await state.save({
        ...doc,
        trades: [
          ...doc.trades,
          { orderRef: `sb.${bridgeConfig.id}.earlier`, side: 'BUY', volume: 1, instrument: bridgeConfig.instrument, openedAt: '2023-08-31T14:00:00.000Z', ...trade },
        ],
      });
    },
    load: () => state.load(),
    async close() {
      await bridge.close();
      await store.close();
      http.close();
    },
  };
}
