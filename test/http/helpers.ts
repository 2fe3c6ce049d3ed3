/**
 * run's HTTP server in this process, wired as `run` wires it (openRuntime with the metrics and the
 * halt gate, prepareRunHttp's start) against a simulator, on a real socket; ticks are driven by
 * the test (no cron), each one reported to the server as the worker's onTick does.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TickResult } from '../../src/bridge/run-tick.js';
import { openRuntime, type Runtime } from '../../src/cli/open-runtime.js';
import { loadConfig } from '../../src/config.js';
import { loadStrategyCatalog } from '../../src/strategy/strategy-catalog.js';
import type { BridgeRouteDeps } from '../../src/http/bridge-routes.js';
import type { Metrics } from '../../src/http/create-metrics.js';
import { prepareRunHttp, type ServedRun } from '../../src/http/serve-run.js';
import type { Simulator } from '../../src/sim/index.js';
import type { Strategy } from '../../src/strategy/types.js';
import { captureLog, type CapturedLog } from '../helpers/capture-log.js';
import { freePort } from '../helpers/free-port.js';
import { FIXED_SIGNAL } from '../helpers/sim-runtime.js';

export const TOKEN = 'http-test-token-6d1f0c2b9a8e7d3c';

export interface Served {
  readonly runtime: Runtime;
  readonly served: ServedRun;
  /** What /metrics shows: run feeds the worker's moments into it. */
  readonly metrics: Metrics;
  readonly logs: CapturedLog;
  readonly url: string;
  readonly account: string;
  /** One tick of the bridge (through the server's queue), reported as the worker reports it. */
  tick(bridgeId?: string, at?: Date): Promise<TickResult>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; type: string }>;
  post(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function openServed(sim: Simulator, options: { env?: Record<string, string>; strategy?: Strategy; fleet?: BridgeRouteDeps['fleet']; notifyBackoffMs?: number } = {}): Promise<Served> {
  const account = `http-${randomUUID().slice(0, 8)}`;
  const env = {
    ALGOGENE_BASE_URL: sim.url,
    ALGOGENE_USER: 'demo',
    ALGOGENE_API_KEY: 'demo-key',
    ALGOGENE_ACCOUNT_ID: account,
    BRIDGE_ID: 'b1',
    BRIDGE_INSTRUMENT: 'BTCUSD',
    BRIDGE_STORE: 'memory://',
    BRIDGE_STRATEGY: FIXED_SIGNAL,
    BRIDGE_TEST_SIGNAL: 'BUY',
    BRIDGE_POLICY: 'hold',
    BRIDGE_HTTP_TIMEOUT_MS: '2000',
    BRIDGE_STRATEGY_TIMEOUT_MS: '5000',
    BRIDGE_HTTP_PORT: String(await freePort()),
    BRIDGE_HTTP_TOKEN: TOKEN,
    ...options.env,
  };
  // The strategy's module declares its settings (BRIDGE_TEST_SIGNAL): config refuses undeclared ones.
  const config = loadConfig(env, { strategies: await loadStrategyCatalog([env.BRIDGE_STRATEGY]) });
  const logs = captureLog();
  const http = prepareRunHttp();
  const observe = await http.observe(config);
  const identity = { host: hostname(), pid: process.pid, instance: randomUUID(), isAlive: () => true };
  const runtime = await openRuntime(config, {
    log: logs.log,
    secrets: logs.secrets,
    env,
    withStrategies: true,
    lease: identity,
    metrics: observe.metrics,
    wrapStrategy: (bridge, loaded) => observe.wrapStrategy(bridge, options.strategy ?? loaded),
    notifyBackoffMs: options.notifyBackoffMs,
  });
  const served = await http.start({ config, runtime, log: logs.log, secrets: logs.secrets, instance: identity.instance, fleet: options.fleet });
  const request = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${served.url}${path}`, { method, headers });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text, type: response.headers.get('content-type') ?? '' };
  };
  return {
    runtime,
    served,
    metrics: observe.metrics!,
    logs,
    url: served.url,
    account,
    async tick(bridgeId = 'b1', at = new Date()) {
      const bridge = served.bridges.find((b) => b.id === bridgeId)!;
      const result = await bridge.tick(at);
      served.onTick({ bridge, scheduledAt: at, result });
      return result;
    },
    get: (path, headers) => request('GET', path, headers),
    post: (path, headers) => request('POST', path, headers),
    async close() {
      await served.stop();
      await runtime.close();
    },
  };
}

export const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
