/**
 * nock stand-ins for the ALGOGENE endpoints, recording every request they answer (method,
 * endpoint, query or body) so that tests can assert which calls were made and in what order.
 */
import nock from 'nock';

export const ORIGIN = 'https://algogene.test';
export const BASE_PATH = '/rest/v1';
export const BASE_URL = `${ORIGIN}${BASE_PATH}`;
export const USER = 'publisher';
export const API_KEY = '5f1c9a7e3b2d4c6a8e0f1a2b3c4d5e6f';
export const TOKEN = '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49';
export const TOKEN_2 = 'aa11bb22cc33dd44ee55ff6677889900';
export const ACCOUNT = 'acct-42';

export interface Recorded {
  readonly method: 'GET' | 'POST';
  readonly endpoint: string;
  /** Query parameters of a GET, JSON body of a POST. */
  readonly params: Record<string, unknown>;
}

export type Reply = readonly [status: number, body: string | Record<string, unknown>, headers?: Record<string, string>];

/** "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, as /session's expired_utc. */
export function utcText(epochMs: number): string {
  return `${new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '')}000`;
}

export interface TradeFields {
  tradeId: string;
  side?: 'BUY' | 'SELL';
  orderRef?: string;
  price?: number;
  unrealizedPL?: number;
  instrument?: string;
  volume?: number;
}

/** One record as /opened_trades and /pending_trades list it. */
export function tradeRecord(t: TradeFields): Record<string, unknown> {
  return {
    broker: 'ALGOGENE',
    buysell: t.side === 'SELL' ? -1 : 1,
    channel: 'api',
    expiry: '',
    holdtime: 0.0,
    instrument: t.instrument ?? 'BTCUSD',
    market: 'CRYPTO',
    openclose: 'open',
    order_Ref: t.orderRef ?? '',
    price: t.price ?? 30086.67,
    product_type: 'SPOT',
    right: '',
    stopLossLevel: 0.0,
    strike: 0.0,
    symbol: t.instrument ?? 'BTCUSD',
    takeProfitLevel: 0.0,
    timestamp: '2023-08-31 14:00:53.787035',
    trade_ID: t.tradeId,
    unrealizedPL: t.unrealizedPL ?? -36.56,
    volume: t.volume ?? 1.0,
  };
}

export function tradesBody(trades: readonly TradeFields[]): Record<string, unknown> {
  return { count: trades.length, res: trades.map(tradeRecord) };
}

export function openOrderBody(tradeId: number | string = 746805590705): Record<string, unknown> {
  return { status: 'PENDING_TO_FILL', timestamp_utc: '2023-08-31 14:00:51.330180', tradeID: tradeId };
}

export function submittedBody(tradeId: string): Record<string, unknown> {
  return { res: `Submitted close order request for '${tradeId}',`, status: 'SUCCESS' };
}

/** One transaction as /strategy_trade lists it (the simulator's and the MCP docstring's spelling). */
export interface TransactionFields {
  tradeId: string;
  orderRef: string;
  openclose: 'open' | 'close';
  price?: number;
  reason?: string;
}

export function transactionsBody(rows: readonly TransactionFields[]): Record<string, unknown> {
  return {
    count: rows.length,
    res: rows.map((r) => ({ trade_ID: r.tradeId, order_ref: r.orderRef, openclose: r.openclose, price: r.price ?? 30_100, volume: 1, reason: r.reason ?? '', timestamp: '2023-08-31 15:00:00.000000' })),
  };
}

export function queryOrderBody(tradeId: string, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status, err_msg: '', tradeID: tradeId, orderRef: '', buysell: 1, price: 30_086.67, volume: 1, timestamp: '2023-08-31 14:00:51.330180', ...extra };
}

export function failBody(reason: string): Record<string, unknown> {
  return { status: 'FAIL', res: reason };
}

/**
 * Blocks every real connection except to this machine (the keep-alive test's server and Redis).
 * Call in beforeEach; `reset` in afterEach.
 */
export function blockNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
}

export function resetNetwork(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}

export interface FakeAlgogene {
  readonly calls: Recorded[];
  /** "GET /session", "POST /open_order", … in the order they were answered. */
  order(): string[];
  posts(endpoint?: string): Recorded[];
  /** Answer the next `times` requests to `endpoint` with `reply` (a fixed reply or one computed per request). */
  on(method: 'GET' | 'POST', endpoint: string, reply: Reply | ((params: Record<string, unknown>) => Reply), times?: number): nock.Interceptor;
  /** Answer the next `times` requests to `endpoint` with a socket error such as ECONNRESET. */
  fail(method: 'GET' | 'POST', endpoint: string, code: string, times?: number): nock.Interceptor;
  session(token?: string, expiresAt?: number, times?: number): void;
  opened(trades: readonly TradeFields[] | ((params: Record<string, unknown>) => readonly TradeFields[]), times?: number): void;
  pending(trades: readonly TradeFields[] | ((params: Record<string, unknown>) => readonly TradeFields[]), times?: number): void;
  openOrder(reply?: Reply, times?: number): void;
  /** /strategy_trade: the rows whose orderRef was asked for. */
  transactions(rows: readonly TransactionFields[], times?: number): void;
  queryOrder(status: string, extra?: Record<string, unknown>, times?: number): void;
  closeOrders(reply?: Reply): void;
  cancelOrders(reply?: Reply): void;
  /** True when every interceptor set up so far has been used. */
  done(): boolean;
}

export function fakeAlgogene(): FakeAlgogene {
  const calls: Recorded[] = [];
  const scope = nock(ORIGIN);
  // Every request an interceptor takes, whatever it replies (a body, an error, after a delay).
  scope.on('request', (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
    const url = new URL(req.path, ORIGIN);
    const method = req.method === 'POST' ? 'POST' : 'GET';
    const params = method === 'GET' ? Object.fromEntries(url.searchParams) : (JSON.parse(body || '{}') as Record<string, unknown>);
    calls.push({ method, endpoint: url.pathname.slice(BASE_PATH.length), params });
  });

  const intercept = (method: 'GET' | 'POST', endpoint: string) => {
    const path = `${BASE_PATH}${endpoint}`;
    return method === 'GET' ? scope.get(path).query(true) : scope.post(path);
  };

  const on: FakeAlgogene['on'] = (method, endpoint, reply, times = 1) => {
    const interceptor = intercept(method, endpoint).times(times);
    interceptor.reply((uri, body) => {
      const params =
        method === 'GET'
          ? Object.fromEntries(new URL(uri, ORIGIN).searchParams)
          : ((typeof body === 'string' ? JSON.parse(body || '{}') : body) as Record<string, unknown>);
      const [status, payload, headers] = typeof reply === 'function' ? reply(params) : reply;
      return [status, typeof payload === 'string' ? payload : JSON.stringify(payload), { 'content-type': 'application/json', ...headers }];
    });
    return interceptor;
  };

  const fail: FakeAlgogene['fail'] = (method, endpoint, code, times = 1) => {
    const interceptor = intercept(method, endpoint).times(times);
    interceptor.replyWithError(Object.assign(new Error(`fake ${code}`), { code }));
    return interceptor;
  };

  const trades = (endpoint: string) => (list: readonly TradeFields[] | ((p: Record<string, unknown>) => readonly TradeFields[]), times = 1) => {
    on('GET', endpoint, (params) => {
      const all = typeof list === 'function' ? list(params) : list;
      const wanted = params.tradeID === undefined ? all : all.filter((t) => t.tradeId === params.tradeID);
      return [200, tradesBody(wanted)];
    }, times);
  };

  return {
    calls,
    order: () => calls.map((c) => `${c.method} ${c.endpoint}`),
    posts: (endpoint) => calls.filter((c) => c.method === 'POST' && (endpoint === undefined || c.endpoint === endpoint)),
    on,
    fail,
    session(token = TOKEN, expiresAt = Date.now() + 3_600_000, times = 1) {
      on('GET', '/session', [200, { res: { token, expired_utc: utcText(expiresAt) } }], times);
    },
    opened: trades('/opened_trades'),
    pending: trades('/pending_trades'),
    transactions(rows, times = 1) {
      on('GET', '/strategy_trade', (p) => [200, transactionsBody(rows.filter((r) => p.orderRef === undefined || r.orderRef === p.orderRef))], times);
    },
    queryOrder(status, extra = {}, times = 1) {
      on('GET', '/query_order', (p) => [200, queryOrderBody(String(p.tradeID), status, extra)], times);
    },
    openOrder(reply = [200, openOrderBody()], times = 1) {
      on('POST', '/open_order', reply, times);
    },
    closeOrders(reply) {
      on('POST', '/close_orders', (p) => reply ?? [200, submittedBody(String(p.tradeIDs))]);
    },
    cancelOrders(reply) {
      on('POST', '/cancel_orders', (p) => reply ?? [200, submittedBody(String(p.tradeIDs))]);
    },
    done: () => scope.isDone(),
  };
}
