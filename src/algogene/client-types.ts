/** The client's public types: what the bridge may know of ALGOGENE's replies. */

export interface Account {
  readonly user: string;
  readonly apiKey: string;
  readonly accountId: string;
  /** "livetest" or "livetrade", chosen once at the composition root. */
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

/** query_order's answer. `state` is `unknown` when the server gave no status (an err_msg, say). */
export interface OrderState {
  readonly tradeId: string;
  readonly state: 'pending' | 'filled' | 'partial' | 'closed' | 'unknown';
  readonly status: string;
  readonly errMsg?: string;
  readonly orderRef?: string;
  readonly price?: number;
}

/** One transaction of strategy_trade: an open, or a close (ours, or the server's take-profit, stop-loss, holdtime). */
export interface StrategyTrade {
  readonly tradeId: string;
  readonly openclose: 'open' | 'close' | 'unknown';
  readonly orderRef: string;
  readonly price?: number;
  readonly volume?: number;
  readonly timestamp?: string;
  readonly reason?: string;
}

export interface AccountInfo {
  readonly accountId: string;
  readonly runmode?: string;
  readonly isTrading?: boolean;
}

export interface InstrumentMeta {
  readonly instrument: string;
  readonly contractSize?: number;
  /** The smallest volume, and the step volumes go in, where the metadata says. */
  readonly minVolume?: number;
  readonly volumeStep?: number;
  readonly volumeDecimals?: number;
  readonly description?: string;
}

export interface Bar {
  /** The bar's closing time, as the server wrote it. */
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
}

export interface Quote {
  readonly symbol: string;
  readonly bid?: number;
  readonly ask?: number;
  readonly timestamp?: string;
}

export interface HistoryQuery {
  instrument: string;
  /** 1 to 1000 (the server's maximum). */
  count: number;
  interval?: string;
  /** Only bars that closed before this moment; defaults to now. */
  before?: Date;
}

export interface AlgogeneClient {
  openOrder(order: OrderRequest): Promise<OrderAck>;
  /** Submits the close: SUCCESS means submitted, not done. */
  closeOrders(tradeIds: readonly string[]): Promise<void>;
  /** Closes every trade that carries `orderRef` (its trade ID may be unknown). */
  closeByOrderRef(orderRef: string): Promise<void>;
  cancelOrders(tradeIds: readonly string[]): Promise<void>;
  openedTrades(tradeId?: string): Promise<Trade[]>;
  pendingTrades(tradeId?: string): Promise<Trade[]>;
  queryOrder(tradeId: string): Promise<OrderState>;
  strategyTrades(filter?: { orderRef?: string; acdate?: string }): Promise<StrategyTrade[]>;
  accounts(): Promise<AccountInfo[]>;
  listInstruments(): Promise<string[]>;
  metaInstrument(instrument: string): Promise<InstrumentMeta>;
  history(query: HistoryQuery): Promise<Bar[]>;
  realtime(symbols: readonly string[]): Promise<Quote[]>;
  /** The same client whose calls are shed first under a rate limit (for prefetch look-ups). */
  sheddable(): AlgogeneClient;
}
