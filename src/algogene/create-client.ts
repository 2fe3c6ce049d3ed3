import type { z } from 'zod';
import type { Logger } from '../logging/create-logger.js';
import { AuthError } from './auth-error.js';
import { callApi, type ApiCall } from './call-api.js';
import type { Http } from './create-http.js';
import { historyReply, openOrderReply, submittedReply, tradesReply, type TradeRecord } from './schemas.js';
import type { SessionTokens } from './session-tokens.js';

export interface Account {
  readonly user: string;
  readonly apiKey: string;
  readonly accountId: string;
  /** "livetest" or the real-money runmode, chosen once at the composition root. */
  readonly runmode: string;
}

export interface OrderRequest {
  instrument: string;
  side: 'BUY' | 'SELL';
  volume: number;
  orderRef: string;
  takeProfit?: number;
  stopLoss?: number;
}

export interface Trade {
  readonly tradeId: string;
  readonly side: 'BUY' | 'SELL';
  readonly instrument: string;
  readonly price: number;
  readonly volume: number;
  readonly orderRef: string;
  readonly unrealizedPL?: number;
  readonly timestamp?: string;
}

export interface OrderAck {
  readonly tradeId: string;
  readonly status: string;
  readonly timestampUtc?: string;
}

export interface AlgogeneClient {
  openOrder(order: OrderRequest): Promise<OrderAck>;
  closeOrders(tradeIds: readonly string[]): Promise<void>;
  cancelOrders(tradeIds: readonly string[]): Promise<void>;
  openedTrades(tradeId?: string): Promise<Trade[]>;
  pendingTrades(tradeId?: string): Promise<Trade[]>;
  history(options: { instrument: string; count: number; interval?: string }): Promise<z.output<typeof historyReply>['res']>;
}

/**
 * The trading calls of one account. Knows no tick and persists nothing. A call refused for its
 * token renews the token once and is sent once more: the refusal proves it was not acted on.
 */
export function createClient(deps: { http: Http; log: Logger; tokens: SessionTokens; account: Account }): AlgogeneClient {
  const { http, log, tokens, account } = deps;

  async function authed<T extends z.ZodType>(call: Omit<ApiCall<T>, 'params'> & { params: ApiCall<T>['params'] }): Promise<z.output<T>> {
    const attempt = async () => {
      const token = await tokens.get();
      const params = { user: account.user, api_key: account.apiKey, token, runmode: account.runmode, accountid: account.accountId, ...call.params };
      try {
        return await callApi(http, log, { ...call, params });
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
      log.warn({ endpoint: call.endpoint }, 'token refused: renewing once and retrying once');
      return attempt();
    }
  }

  const trades = async (endpoint: '/opened_trades' | '/pending_trades', tradeId?: string) => {
    const reply = await authed({ endpoint, method: 'GET', params: { tradeID: tradeId }, schema: tradesReply });
    const all = reply.res.map(toTrade);
    // Filter here too: whether the server honours tradeID on every endpoint is undocumented.
    return tradeId === undefined ? all : all.filter((t) => t.tradeId === tradeId);
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
        schema: openOrderReply,
      });
      return { tradeId: reply.tradeID, status: reply.status, timestampUtc: reply.timestamp_utc };
    },
    async closeOrders(tradeIds) {
      await authed({ endpoint: '/close_orders', method: 'POST', params: { tradeIDs: tradeIds.join(',') }, schema: submittedReply });
    },
    async cancelOrders(tradeIds) {
      await authed({ endpoint: '/cancel_orders', method: 'POST', params: { tradeIDs: tradeIds.join(',') }, schema: submittedReply });
    },
    openedTrades: (tradeId) => trades('/opened_trades', tradeId),
    pendingTrades: (tradeId) => trades('/pending_trades', tradeId),
    async history(options) {
      const reply = await callApi(http, log, {
        endpoint: '/history_price',
        method: 'GET',
        params: { user: account.user, api_key: account.apiKey, instrument: options.instrument, count: options.count, interval: options.interval ?? 'D' },
        schema: historyReply,
      });
      return reply.res;
    },
  };
}

function toTrade(record: TradeRecord): Trade {
  return {
    tradeId: record.trade_ID,
    side: record.buysell === 1 ? 'BUY' : 'SELL',
    instrument: record.instrument,
    price: record.price,
    volume: record.volume,
    orderRef: record.order_Ref,
    unrealizedPL: record.unrealizedPL,
    timestamp: record.timestamp,
  };
}
