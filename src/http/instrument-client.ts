import type { AlgogeneClient } from '../algogene/create-client.js';
import { ApiError } from '../algogene/api-error.js';
import { RateLimitError } from '../algogene/rate-limit-error.js';
import type { SessionTokens } from '../algogene/session-tokens.js';
import type { ApiOutcome, Metrics } from './create-metrics.js';

/** Endpoint names as ALGOGENE spells them; a method not listed is counted under its own name. */
const ENDPOINTS: Readonly<Record<string, string>> = {
  openOrder: '/open_order',
  closeOrders: '/close_orders',
  cancelOrders: '/cancel_orders',
  openedTrades: '/opened_trades',
  pendingTrades: '/pending_trades',
  history: '/history_price',
  queryOrder: '/query_order',
  strategyTrades: '/strategy_trade',
  closeByOrderRef: '/close_orders',
  accounts: '/accounts',
  listInstruments: '/list_instrument',
  metaInstrument: '/meta_instrument',
  realtime: '/realtime_price',
};

/**
 * The client, counted from outside: each call's endpoint, outcome and time (its retries and a
 * token renewal included), so that the client itself stays free of metrics.
 */
export function instrumentClient(client: AlgogeneClient, metrics: Metrics): AlgogeneClient {
  const wrapped: Record<string, unknown> = { ...client };
  for (const [method, value] of Object.entries(client)) {
    if (typeof value !== 'function') continue;
    // Not a call: the same client with prefetch priority, counted the same way.
    if (method === 'sheddable') {
      wrapped[method] = () => instrumentClient(client.sheddable(), metrics);
      continue;
    }
    const call = value as (...args: unknown[]) => Promise<unknown>;
    const endpoint = ENDPOINTS[method] ?? method;
    wrapped[method] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        const result = await call.apply(client, args);
        metrics.apiCall(endpoint, 'ok', (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        metrics.apiCall(endpoint, outcomeOf(error), (performance.now() - started) / 1000);
        throw error;
      }
    };
  }
  return wrapped as unknown as AlgogeneClient;
}

/** Counts each new token the session hands out (the first one and every renewal). */
export function instrumentTokens(tokens: SessionTokens, user: string, metrics: Metrics): SessionTokens {
  let last: string | undefined;
  return {
    ...tokens,
    async get() {
      const token = await tokens.get();
      if (token !== last) {
        last = token;
        metrics.tokenRenewed(user);
      }
      return token;
    },
  };
}

function outcomeOf(error: unknown): ApiOutcome {
  if (error instanceof RateLimitError) return 'rate_limited';
  if (error instanceof ApiError) return 'rejected';
  return 'unknown';
}
