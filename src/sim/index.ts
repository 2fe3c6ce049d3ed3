/** Public surface of the ALGOGENE simulator: an independent oracle for the client in src/algogene/. */
import { Accounts } from './accounts.js';
import { Auth } from './auth.js';
import { Books } from './book.js';
import { type FaultInjection, Faults } from './faults.js';
import { apiRoutes } from './handlers.js';
import { type FaultSettings, parseOrThrow, type SimOptions, type SimOptionsInput, simOptionsSchema } from './options.js';
import { PriceFeed, type Quote } from './prices.js';
import { EXCEED_ACCESS, RateLimit } from './rate-limit.js';
import { type RequestStats, SimServer } from './server.js';
import { type TradeSnapshot, toSnapshot } from './snapshot.js';
import { nowUs } from './time.js';

export type { FaultInjection } from './faults.js';
export type { CloseReason, TradeState } from './book.js';
export type { TradeSnapshot } from './snapshot.js';
export type { RequestLogEntry, RequestStats } from './server.js';
export type { Quote, Bar } from './prices.js';
export { EXCEED_ACCESS } from './rate-limit.js';
export {
  ALL_FAULT_KINDS,
  API_FAULT_KINDS,
  DEFAULT_INSTRUMENTS,
  DEFAULT_RUNMODES,
  DEFAULT_USERS,
  FAULT_KINDS,
  FAULT_PHASES,
  RUNMODES,
  type AccountSpec,
  type FaultKind,
  type FaultPhase,
  type FaultPhaseOption,
  type FaultSettings,
  type InstrumentSpec,
  type Runmode,
  type SimOptions,
  type SimOptionsInput,
} from './options.js';

export const BASE_PATH = '/rest/v1';

export interface Simulator {
  /** Base URL including the base path, e.g. `http://127.0.0.1:4321/rest/v1`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Closes the server and every socket, hung ones included. Idempotent. */
  close(): Promise<void>;
  /** Deep copy of every trade ever created, in creation order, with fills and closes applied up to now. */
  books(): TradeSnapshot[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Request counts and a bounded log; never holds keys, tokens or query strings. */
  requests(): RequestStats;
  /** Queues a fault for the next request to `spec.path` (any path the kind applies to when absent); one-shot. */
  injectFault(spec: FaultInjection): void;
  setFaults(patch: Partial<FaultSettings>): void;
  /** Changes the per-user rate limit (calls per rolling minute); undefined lifts it. */
  setRateLimit(perMinute: number | undefined): void;
  /** Makes every token issued so far invalid, as if their expiry passed (401 "invalid token"). */
  expireTokens(): void;
  /** Ends every session on the server's side: those tokens get HTTP 400 {"res": "Invalid session!"}. */
  revokeTokens(): void;
  /** Every session token issued so far (expired ones included, the last 10 000), oldest first: for leak searches. */
  issuedTokens(): string[];
  /** The current bid/ask of an instrument, as /realtime_price would report it now. */
  quote(symbol: string): Quote;
  /** Moves an instrument's mid price to `mid` now (the walk goes on from there): to reach a take-profit or stop-loss. */
  setPrice(symbol: string, mid: number): void;
}

export type StartOptions = Partial<SimOptionsInput> & { port?: number; host?: string };

export async function startSimulator(opts: StartOptions = {}): Promise<Simulator> {
  const { port = 0, host = '127.0.0.1', ...rest } = opts;
  const options: SimOptions = parseOrThrow(simOptionsSchema, rest);
  const startUs = nowUs();
  const prices = new PriceFeed(options.instruments, options.seed, options.priceStepMs, startUs / 1000);
  const auth = new Auth(options.users, options.tokenTtlS * 1_000_000);
  const books = new Books(
    prices,
    { fillUs: options.fillDelayS * 1_000_000, closeUs: options.closeDelayS * 1_000_000 },
    options.serverCloses,
    options.tradeIdStart,
  );
  const accounts = new Accounts(options.accounts);
  const limit = new RateLimit(options.rateLimitPerMinute);
  const { delayMs, failRate, failKinds, faultPhase, oversizeBytes } = options;
  const faults = new Faults({ delayMs, failRate, failKinds, faultPhase, oversizeBytes }, options.seed, BASE_PATH);
  // Only calls of a known user count against (and meet) its quota; a wrong key still gets its 401.
  const gate = (p: Record<string, unknown>, nowMs: number) =>
    auth.checkKey(p.user, p.api_key) && !limit.take(p.user, nowMs) ? { status: 400, body: { res: EXCEED_ACCESS } } : null;
  const routes = apiRoutes({ auth, books, prices, accounts, options });
  const server = new SimServer(routes, faults, BASE_PATH, options.keepAliveTimeoutMs, gate);
  const address = await server.listen(port, host);
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}${BASE_PATH}`,
    port: address.port,
    host: address.address,
    close: () => server.close(),
    books: () => books.everything(nowUs()).map(toSnapshot),
    connections: () => server.connections(),
    requests: () => server.stats(),
    injectFault: (spec) => faults.inject(spec),
    setFaults: (patch) => faults.update(patch),
    setRateLimit: (perMinute) => limit.set(perMinute),
    expireTokens: () => auth.expireAll(),
    revokeTokens: () => auth.revokeAll(),
    issuedTokens: () => auth.issued(),
    quote: (symbol) => prices.quote(symbol, nowUs() / 1000),
    setPrice: (symbol, mid) => {
      if (!prices.has(symbol)) throw new Error(`unknown instrument ${symbol}`);
      if (!(mid > 0)) throw new Error('setPrice: mid must be positive');
      prices.setMid(symbol, mid, nowUs() / 1000);
    },
  };
}
