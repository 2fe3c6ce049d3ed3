import type { Logger } from '../logging/create-logger.js';
import type { Side } from './signal.js';

/** A bar as ALGOGENE's /history_price returns it. */
export interface Bar {
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
}

/** Prices reach strategies only through this, never through the trading client. */
export interface MarketData {
  /** Bars that closed before `before` (default: the tick's moment), oldest first; `t` is a bar's closing time. count ≤ 1000. */
  history(options: { instrument?: string; count: number; interval?: string; before?: Date }): Promise<readonly Bar[]>;
}

/** What a strategy may know of the trade the bridge holds; it cannot change it. */
export interface TrackedTradeView {
  readonly tradeId: string;
  readonly side: Side;
  readonly volume: number;
  readonly instrument: string;
  readonly openedAt: string;
}

export interface StrategyContext {
  /** The scheduled moment of this tick. */
  readonly time: Date;
  readonly bridgeId: string;
  readonly instrument: string;
  readonly volume: number;
  readonly tracked: TrackedTradeView | null;
  readonly log: Logger;
  readonly market: MarketData;
  /** Aborted when the strategy's time is up; long work should stop then. */
  readonly signal: AbortSignal;
}

export interface SignalAnswer {
  readonly signal: 'BUY' | 'SELL' | 'NONE' | null | string;
  readonly volume?: number;
  readonly takeProfit?: number;
  readonly stopLoss?: number;
  readonly comment?: string;
}

/** A strategy's raw answer; parseSignal decides whether it is one. */
export type StrategyAnswer = 'BUY' | 'SELL' | null | SignalAnswer | string | undefined;

export interface Strategy {
  readonly name: string;
  decide(ctx: StrategyContext): StrategyAnswer | Promise<StrategyAnswer>;
  /** Start processes before the first tick. */
  start?(): Promise<void>;
  close?(): Promise<void>;
  /**
   * Present on event-driven strategies (stream:, file:, webhook): calls `listener` when a new
   * signal arrives, with the moment it reached this process (ms since the epoch), so that the
   * worker ticks the bridge at once instead of waiting for its schedule; the tick's latency
   * counts from that moment. Returns a function that removes the listener.
   */
  onSignal?(listener: SignalListener): () => void;
  /** A strategy that is sent its signals (webhook): `run`'s HTTP server routes POST /signal to it. */
  readonly signalEndpoint?: SignalEndpoint;
}

/** The receiving end of POST /signal, free of any HTTP framework. */
export interface SignalEndpoint {
  /** False when the Authorization header alone refuses the request: 401 before the body is read. */
  admits(authorization: string | undefined): boolean;
  receive(request: { readonly authorization?: string; readonly body: string }): { status: number; body: Record<string, unknown> };
}

/** Told that a new signal arrived, and when (ms since the epoch). */
export type SignalListener = (arrivedAt: number) => void;

/** Options a strategy factory receives: its own settings from config, and a logger. */
export interface StrategyOptions {
  readonly spec: string;
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /**
   * The process environment, for adapters that start processes (command:), which pass only an
   * allowlist of it (PATH, HOME, LANG, …) to the child. Settings never come from here.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Aborted when the process is stopping (SIGTERM, SIGINT): a strategy running a command ends it
   * at once instead of letting the tick wait out the strategy timeout.
   */
  readonly stop?: AbortSignal;
}

/** What a module in strategies/ (or a user path) may export as default. */
export type StrategyModule =
  | ((ctx: StrategyContext) => StrategyAnswer | Promise<StrategyAnswer>)
  | { decide(ctx: StrategyContext): StrategyAnswer | Promise<StrategyAnswer> }
  | { create(options: StrategyOptions): Strategy | Promise<Strategy> };
