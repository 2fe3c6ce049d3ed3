import type { z } from 'zod';
import type { Logger } from '../logging/create-logger.js';
import { AuthError } from './auth-error.js';
import { callApi, type ApiCall } from './call-api.js';
import type { Account, AlgogeneClient, StrategyTrade, Trade } from './client-types.js';
import type { Http } from './create-http.js';
import type { CallPriority, RateGate } from './rate-gate.js';
import * as s from './schemas.js';
import type { SessionTokens } from './session-tokens.js';

export type { Account, AlgogeneClient, Bar, OrderAck, OrderRequest, OrderState, StrategyTrade, Trade } from './client-types.js';

export const MAX_HISTORY_COUNT = 1000;

/**
 * The calls of one account. Knows no tick and persists nothing. A call refused for its token
 * renews the token once and is sent once more: a call refused for its token was not acted on
 * (the server checks the session before it reads the order), so sending an order again after the
 * renewal cannot double it.
 */
export function createClient(deps: { http: Http; log: Logger; tokens: SessionTokens; account: Account; gate?: RateGate }, priority: CallPriority = 'normal'): AlgogeneClient {
  const { http, log, tokens, account, gate } = deps;
  const ctx = { http, log, gate };
  const keyed = { user: account.user, api_key: account.apiKey };

  async function authed<T extends z.ZodType>(call: Omit<ApiCall<T>, 'priority'>): Promise<z.output<T>> {
    const attempt = async () => {
      const token = await tokens.get();
      const params = { ...keyed, token, runmode: account.runmode, accountid: account.accountId, ...call.params };
      try {
        return await callApi(ctx, { ...call, params, priority });
      } catch (error) {
        if (error instanceof AuthError) tokens.invalidate(token);
        throw error;
      }
    };
    try {
      return await attempt();
    } catch (error) {
      // A refused /session means the key itself is wrong: renewing again cannot help.
      if (!(error instanceof AuthError) || error.endpoint === '/session') throw error;
      log.warn({ endpoint: call.endpoint, reason: error.reason }, 'token refused: renewing once and retrying once');
      return attempt();
    }
  }
  const open = <T extends z.ZodType>(call: Omit<ApiCall<T>, 'priority'>) => callApi(ctx, { ...call, params: { ...keyed, ...call.params }, priority });

  const trades = async (endpoint: '/opened_trades' | '/pending_trades', tradeId?: string) => {
    const reply = await authed({ endpoint, method: 'GET', params: { tradeID: tradeId }, schema: s.tradesReply });
    const all = reply.res.map(toTrade);
    // Filter here too: whether the server honours tradeID on every endpoint is undocumented.
    return tradeId === undefined ? all : all.filter((t) => t.tradeId === tradeId);
  };
  const submit = async (endpoint: '/close_orders' | '/cancel_orders', params: Record<string, string>) => {
    await authed({ endpoint, method: 'POST', params, schema: s.submittedReply });
  };

  return {
    async openOrder(order) {
      const reply = await authed({
        endpoint: '/open_order',
        method: 'POST',
        params: {
          instrument: order.instrument,
          buysell: order.side,
          volume: order.volume,
          ordertype: 'MKT',
          orderRef: order.orderRef,
          takeProfitLevel: order.takeProfit,
          stopLossLevel: order.stopLoss,
        },
        schema: s.openOrderReply,
      });
      return { tradeId: reply.tradeID, status: reply.status, timestampUtc: reply.timestamp_utc };
    },
    closeOrders: (tradeIds) => submit('/close_orders', { tradeIDs: tradeIds.join(',') }),
    closeByOrderRef: (orderRef) => submit('/close_orders', { orderRef }),
    cancelOrders: (tradeIds) => submit('/cancel_orders', { tradeIDs: tradeIds.join(',') }),
    openedTrades: (tradeId) => trades('/opened_trades', tradeId),
    pendingTrades: (tradeId) => trades('/pending_trades', tradeId),
    async queryOrder(tradeId) {
      const r = await authed({ endpoint: '/query_order', method: 'GET', params: { tradeID: tradeId }, schema: s.queryOrderReply });
      const status = r.status.toUpperCase();
      // An answer about another order is no answer about this one.
      if (r.tradeID !== undefined && r.tradeID !== tradeId) return { tradeId, state: 'unknown', status, errMsg: `answered for trade ${r.tradeID}` };
      // FILLED stays FILLED after the close; a close or a cancel shows only in these extra words.
      const ended = r.openclose?.toLowerCase() === 'close' || r.cancelled === true || /cancel/i.test(r.err_msg);
      return { tradeId, state: ended ? 'closed' : (ORDER_STATES[status] ?? 'unknown'), status, errMsg: r.err_msg || undefined, orderRef: r.orderRef, price: r.price };
    },
    async strategyTrades(filter = {}) {
      const reply = await open({
        endpoint: '/strategy_trade',
        method: 'GET',
        params: { runmode: account.runmode, runtime_id: account.accountId, acdate: filter.acdate ?? '', orderRef: filter.orderRef },
        schema: s.strategyTradeReply,
      });
      const rows = reply.res.map(toStrategyTrade);
      // Filter here too: a server that ignores orderRef must not make another order's trade ours.
      return filter.orderRef === undefined ? rows : rows.filter((r) => r.orderRef === filter.orderRef);
    },
    async accounts() {
      const reply = await authed({ endpoint: '/accounts', method: 'GET', params: {}, schema: s.accountsReply });
      return reply.res.map((a) => ({ accountId: a.accountid, runmode: a.runmode, isTrading: a.isTrading }));
    },
    async listInstruments() {
      return (await open({ endpoint: '/list_instrument', method: 'GET', params: {}, schema: s.listInstrumentReply })).res;
    },
    async metaInstrument(instrument) {
      const { res } = await open({ endpoint: '/meta_instrument', method: 'GET', params: { instrument }, schema: s.metaInstrumentReply });
      return { instrument, contractSize: res.contractSize, minVolume: res.minVolume ?? res.minLot ?? res.lotSize, volumeStep: res.volumeStep ?? res.lotSize, volumeDecimals: res.volumeDecimals, description: res.description };
    },
    async history(query) {
      if (!Number.isInteger(query.count) || query.count < 1 || query.count > MAX_HISTORY_COUNT) {
        throw new RangeError(`history: count must be a whole number from 1 to ${MAX_HISTORY_COUNT} (got ${query.count})`);
      }
      const reply = await open({
        endpoint: '/history_price',
        method: 'GET',
        // The official clients always send timestamp: only bars that closed before it.
        params: { instrument: query.instrument, count: query.count, interval: query.interval ?? 'D', timestamp: utcSeconds(query.before ?? new Date()) },
        schema: s.historyReply,
      });
      return reply.res;
    },
    async realtime(symbols) {
      const { res } = await open({ endpoint: '/realtime_price', method: 'GET', params: { symbols: symbols.join(',') }, schema: s.realtimeReply });
      const entries = Array.isArray(res) ? res.map((q) => [q.symbol ?? '', q] as const) : Object.entries(res);
      return entries.map(([symbol, q]) => ({ symbol, bid: q.bidPrice ?? q.bid, ask: q.askPrice ?? q.ask, timestamp: q.timestamp }));
    },
    sheddable: () => createClient(deps, 'prefetch'),
  };
}

const ORDER_STATES: Record<string, 'pending' | 'filled' | 'partial' | 'closed'> = {
  PENDING: 'pending',
  PENDING_TO_FILL: 'pending',
  FILLED: 'filled',
  PARTIAL_FILLED: 'partial',
  // Undocumented, but the only reading possible if a server ever says so.
  CLOSED: 'closed',
  CANCELLED: 'closed',
  CANCELED: 'closed',
};

/** "YYYY-MM-DD HH:MM:SS" in UTC, as history_price's timestamp. */
function utcSeconds(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

function toTrade(record: s.TradeRecord): Trade {
  return {
    tradeId: record.trade_ID,
    side: record.buysell,
    instrument: record.instrument,
    price: record.price,
    volume: record.volume,
    orderRef: record.order_Ref,
    unrealizedPL: record.unrealizedPL,
    timestamp: record.timestamp,
  };
}

function toStrategyTrade(r: s.StrategyTradeRecord): StrategyTrade {
  const oc = r.openclose?.toLowerCase();
  return {
    tradeId: r.trade_ID,
    openclose: oc === 'open' || oc === 'close' ? oc : 'unknown',
    orderRef: r.order_Ref ?? r.order_ref ?? r.orderRef ?? '',
    price: r.price,
    volume: r.volume,
    timestamp: r.timestamp,
    reason: r.close_reason ?? r.closeReason ?? r.reason ?? r.remark,
  };
}
