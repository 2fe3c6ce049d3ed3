import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Bridge } from '../bridge/create-bridge.js';
import type { TickResult } from '../bridge/run-tick.js';
import type { Config } from '../config.js';
import { ConfigError } from '../config-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { Secrets } from '../logging/secrets.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { Store } from '../store/create-store.js';
import { createBridgeState } from '../store/bridge-state.js';
import type { SignalEndpoint, Strategy } from '../strategy/types.js';
import { advertiseDaemon } from './daemon-advert.js';
import { createBridgeControl } from './bridge-control.js';
import type { Metrics } from './create-metrics.js';
import type { JournalProvider } from './describe-bridge.js';
import type { BridgeRouteDeps } from './bridge-routes.js';
import { createTickHistory } from './tick-history.js';
import { createTradeWatch } from './trade-watch.js';

/** What the server reads of the runtime that openRuntime opened. */
interface Runtime {
  readonly bridges: readonly Bridge[];
  readonly leases: ReadonlyMap<string, BridgeLease>;
  readonly store: Store;
  /** The journal, when the runtime keeps one: the page shows each bridge's last entries. */
  readonly record?: { readonly journal: { entries(options: { bridge?: string; since?: Date }): Promise<readonly unknown[]> } };
}

// The page asks for the last entries often: only a recent window is read, not the whole chain.
const JOURNAL_WINDOW_MS = 6 * 3_600_000;

export interface RunHttp {
  /**
   * For openRuntime, once the config is read: gate the strategies (halt), find the webhooks, and
   * count the API calls when there is a server to read the counts (no metrics with port 0).
   */
  observe(config: Config): Promise<{ readonly metrics?: Metrics; readonly wrapStrategy: (bridge: Config['bridges'][number], strategy: Strategy) => Strategy }>;
  /** The counts, once observe or start made them: undefined without a server, where nobody would read them. */
  metrics(): Metrics | undefined;
  /** Serves on BRIDGE_HTTP_HOST:PORT (nothing with port 0). Throws ConfigError when it cannot. */
  start(ctx: { config: Config; runtime: Runtime; log: Logger; secrets: Secrets; instance?: string; journal?: JournalProvider; runsHere?: (bridgeId: string) => boolean; fleet?: BridgeRouteDeps['fleet'] }): Promise<ServedRun>;
}

export interface ServedRun {
  /** '' when the server is off. */
  readonly url: string;
  /** The bridges for the worker: each one's ticks take turns with the API's actions. */
  readonly bridges: readonly Bridge[];
  onTick(event: { bridge: Bridge; scheduledAt: Date; result: TickResult }): void;
  stop(): Promise<void>;
}

/**
 * Everything `run` serves, put together from the runtime: metrics counted from outside the
 * client, a bounded in-memory tick history fed by the worker's onTick, the trades' prices looked
 * up after each tick, the actions serialised with the ticks, and a small record in the store
 * (`daemon:<instance>`) that tells `close` and `status` on this host where to ask.
 */
export function prepareRunHttp(): RunHttp {
  const control = createBridgeControl();
  const signals = new Map<string, SignalEndpoint>();
  let metrics: Metrics | undefined;
  // prom-client and fastify are loaded only for a server: `run` with port 0 starts without them.
  const loadMetrics = async () => (metrics ??= (await import('./create-metrics.js')).createMetrics());
  const wrapStrategy = (bridge: Config['bridges'][number], strategy: Strategy) => {
    if (strategy.signalEndpoint) signals.set(bridge.id, strategy.signalEndpoint);
    return control.gate(bridge.id, bridge.policy, strategy);
  };
  return {
    async observe(config) {
      return { metrics: config.http.port === 0 ? undefined : await loadMetrics(), wrapStrategy };
    },
    metrics: () => metrics,
    async start({ config, runtime, log, secrets, instance, journal, runsHere, fleet }) {
      control.attach(runtime.bridges, runtime.leases, log);
      const { host, port } = config.http;
      const bridges = runtime.bridges.map((b) => control.serialise(b));
      if (port === 0) {
        if (signals.size > 0) throw new ConfigError([`BRIDGE_HTTP_PORT: 0 turns the HTTP server off, but the webhook of bridge ${[...signals.keys()].join(', ')} is served by it`]);
        // Nobody reads a tick history, a price or a count without the server.
        return { bridges, onTick() {}, url: '', stop: async () => {} };
      }
      const counts = await loadMetrics();
      const history = createTickHistory();
      const watch = createTradeWatch({
        bridges: runtime.bridges,
        tracked: async (id) => (await createBridgeState(runtime.store, id).load()).trades,
        history,
        metrics: counts,
        log: log.child({ module: 'http' }),
      });
      counts.leaseHeld(() => [...runtime.leases].map(([id, lease]) => [id, lease.validForMs() > 0]));
      const looking = new Set<Promise<unknown>>();
      const served = {
        bridges,
        onTick({ bridge, scheduledAt, result }: { bridge: Bridge; scheduledAt: Date; result: TickResult }) {
          history.record(bridge.id, scheduledAt, result);
          counts.tick(bridge.id, result);
          // The price and P&L after the tick, for the page and /metrics.
          const look = watch.refresh(bridge.id, { force: true }).finally(() => looking.delete(look));
          looking.add(look);
        },
      };
      const settle = async () => {
        while (looking.size > 0) await Promise.allSettled([...looking]);
      };
      // Without a configured token the actions still need one: a fresh one, told to this host's CLI through the store only.
      const token = config.http.token ?? randomBytes(24).toString('hex');
      secrets.add(token);
      const me = { pid: process.pid, host: hostname() };
      const { createServer } = await import('./create-server.js');
      const app = await createServer({
        log,
        token,
        bridges: runtime.bridges,
        metrics: counts,
        history,
        watch,
        control,
        leases: runtime.leases,
        me,
        storeProblem: () => probe(runtime),
        journal: journal ?? journalOf(runtime),
        signals,
        runsHere,
        fleet,
      });
      try {
        await app.listen({ host, port });
      } catch (error) {
        await app.close();
        throw new ConfigError([`BRIDGE_HTTP_PORT: cannot listen on ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
      }
      const address = app.server.address() as AddressInfo;
      const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
      const advert = instance ? await advertiseDaemon(runtime.store, instance, { url, ...me, token: config.http.token === undefined ? token : undefined }) : undefined;
      log.info({ url, webhooks: [...signals.keys()], token: config.http.token ? 'BRIDGE_HTTP_TOKEN' : 'generated (for this host\'s CLI)' }, 'http: serving status, metrics and actions');
      return {
        ...served,
        url,
        async stop() {
          await advert?.withdraw();
          await app.close();
          await settle();
        },
      };
    },
  };
}

function journalOf(runtime: Runtime): JournalProvider | undefined {
  const record = runtime.record;
  if (!record) return undefined;
  return async (bridgeId, limit) => (await record.journal.entries({ bridge: bridgeId, since: new Date(Date.now() - JOURNAL_WINDOW_MS) })).slice(-limit);
}

const PROBE_MS = 2_000;

async function probe(runtime: Runtime): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      runtime.store.keyv.get('probe'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_MS} ms`)), PROBE_MS);
      }),
    ]);
    return undefined;
  } catch (error) {
    return `${runtime.store.where}: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
