import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Bridge } from '../bridge/create-bridge.js';
import type { Logger } from '../logging/create-logger.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { SignalEndpoint } from '../strategy/types.js';
import { registerActionRoutes } from './action-routes.js';
import type { BridgeControl } from './bridge-control.js';
import { registerBridgeRoutes, type BridgeRouteDeps } from './bridge-routes.js';
import type { Metrics } from './create-metrics.js';
import type { JournalProvider } from './describe-bridge.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerPageRoutes } from './page-routes.js';
import { registerSignalRoutes } from './signal-routes.js';
import type { TickHistory } from './tick-history.js';
import type { TradeWatch } from './trade-watch.js';

export interface ServerDeps {
  readonly log: Logger;
  /** The bearer token of the actions; without one every action answers 401. */
  readonly token?: string;
  readonly bridges: readonly Bridge[];
  readonly metrics?: Metrics;
  readonly history?: TickHistory;
  readonly watch?: TradeWatch;
  readonly control?: BridgeControl;
  readonly leases?: ReadonlyMap<string, BridgeLease>;
  readonly me?: { readonly pid: number; readonly host: string };
  /** In a fleet, whether this instance runs the bridge now; the others are standbys here, not failures. */
  readonly runsHere?: (bridgeId: string) => boolean;
  /** Fleet mode: who runs each bridge and the fleet's members, for /api/bridges. */
  readonly fleet?: BridgeRouteDeps['fleet'];
  /** undefined when the store answers, else why not. */
  readonly storeProblem?: () => Promise<string | undefined>;
  readonly journal?: JournalProvider;
  /** POST /signal receivers by bridge id (webhook strategies). */
  readonly signals?: ReadonlyMap<string, SignalEndpoint>;
}

/** Timeouts short enough that a client trickling its headers (slowloris) cannot hold sockets. */
const TIMEOUTS = { connectionTimeout: 15_000, keepAliveTimeout: 5_000, requestTimeout: 10_000, headersTimeout: 5_000 } as const;

/**
 * `run`'s one HTTP server: health and readiness, Prometheus metrics, the bridges' state as JSON
 * and as a status page, the actions, and POST /signal for webhook strategies. Each part is
 * served only when its sources are given, so that tests can build the part they test.
 */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ module: 'http' }) as FastifyBaseLogger,
    // One line per refused request (below), none per probe or scrape.
    logController: new LogController({ disableRequestLogging: true }),
    connectionTimeout: TIMEOUTS.connectionTimeout,
    keepAliveTimeout: TIMEOUTS.keepAliveTimeout,
    requestTimeout: TIMEOUTS.requestTimeout,
    bodyLimit: 16 * 1024,
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  app.server.headersTimeout = TIMEOUTS.headersTimeout;
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 400 && request.url !== '/readyz') request.log.info({ method: request.method, url: request.routeOptions.url ?? 'unrouted', status: reply.statusCode }, 'http request refused');
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ error: error.message }, 'http request failed');
    void reply.code(status).send({ error: status >= 500 ? 'internal error' : error.message });
  });
  registerHealthRoutes(app, deps);
  if (deps.signals && deps.signals.size > 0) await app.register(registerSignalRoutes, { signals: deps.signals });
  if (deps.history && deps.watch && deps.control) {
    registerBridgeRoutes(app, { ...deps, history: deps.history, watch: deps.watch, control: deps.control });
    registerActionRoutes(app, { bridges: deps.bridges, control: deps.control, watch: deps.watch, token: deps.token });
    registerPageRoutes(app);
  }
  await app.ready();
  return app;
}
