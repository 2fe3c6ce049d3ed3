/** Public surface of the ALGOGENE simulator: an independent oracle for the client in src/algogene/. */
import { Auth } from './auth.js';
import { Books, type TradeSnapshot } from './book.js';
import { type FaultInjection, Faults } from './faults.js';
import { apiRoutes } from './handlers.js';
import { type FaultSettings, parseOrThrow, type SimOptions, type SimOptionsInput, simOptionsSchema } from './options.js';
import { PriceFeed, type Quote } from './prices.js';
import { type RequestStats, SimServer } from './server.js';
import { nowUs } from './time.js';

export type { FaultInjection } from './faults.js';
export type { TradeSnapshot, TradeState } from './book.js';
export type { RequestLogEntry, RequestStats } from './server.js';
export type { Quote, Bar } from './prices.js';
export {
  DEFAULT_INSTRUMENTS,
  DEFAULT_RUNMODES,
  DEFAULT_USERS,
  FAULT_KINDS,
  FAULT_PHASES,
  type FaultKind,
  type FaultPhase,
  type FaultPhaseOption,
  type FaultSettings,
  type InstrumentSpec,
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
  /** Deep copy of every trade ever created, in creation order. */
  books(): TradeSnapshot[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Request counts and a bounded log; never holds keys, tokens or query strings. */
  requests(): RequestStats;
  /** Queues a fault for the next request to `spec.path` (any API path when absent); one-shot. */
  injectFault(spec: FaultInjection): void;
  setFaults(patch: Partial<FaultSettings>): void;
  /** Makes every token issued so far invalid, as if their expiry passed. */
  expireTokens(): void;
  /** Every session token issued so far (expired ones included, the last 10 000), oldest first: for leak searches. */
  issuedTokens(): string[];
  /** The current bid/ask of an instrument, as /realtime_price would report it now. */
  quote(symbol: string): Quote;
}

export type StartOptions = Partial<SimOptionsInput> & { port?: number; host?: string };

export async function startSimulator(opts: StartOptions = {}): Promise<Simulator> {
  const { port = 0, host = '127.0.0.1', ...rest } = opts;
  const options: SimOptions = parseOrThrow(simOptionsSchema, rest);
  const startUs = nowUs();
  const prices = new PriceFeed(options.instruments, options.seed, options.priceStepMs, startUs / 1000);
  const auth = new Auth(options.users, options.tokenTtlS * 1_000_000);
  const books = new Books(prices, options.fillDelayS * 1_000_000, options.tradeIdStart);
  const { delayMs, failRate, failKinds, faultPhase } = options;
  const faults = new Faults({ delayMs, failRate, failKinds, faultPhase }, options.seed, BASE_PATH);
  const server = new SimServer(apiRoutes({ auth, books, prices, options }), faults, BASE_PATH, options.keepAliveTimeoutMs);
  const address = await server.listen(port, host);
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}${BASE_PATH}`,
    port: address.port,
    host: address.address,
    close: () => server.close(),
    books: () => books.snapshot(nowUs()),
    connections: () => server.connections(),
    requests: () => server.stats(),
    injectFault: (spec) => faults.inject(spec),
    setFaults: (patch) => faults.update(patch),
    expireTokens: () => auth.expireAll(),
    issuedTokens: () => auth.issued(),
    quote: (symbol) => prices.quote(symbol, nowUs() / 1000),
  };
}
