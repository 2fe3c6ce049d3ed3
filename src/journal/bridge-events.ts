import type { Logger } from '../logging/create-logger.js';
import { FenceError } from '../store/fence-error.js';
import { confirmClose, type TradeRows } from './confirm-close.js';
import type { Journal } from './create-journal.js';
import type { EventOf, JournalEvent } from './events.js';

/**
 * What a bridge tells the world: the sink it calls at each event. Fire-and-forget: `record`
 * returns at once and never throws, so a slow or failing journal never delays a tick, and it is
 * called after the order it describes, never between the strategy's answer and the order.
 */
export interface BridgeEvents {
  record(event: JournalEvent): void;
  /** A tick ended well (not journaled: it resets the count of failed ticks in a row). */
  tickOk(): void;
}

export const NO_EVENTS: BridgeEvents = { record() {}, tickOk() {} };

/** Who hears of events besides the journal: the notifier's rules. */
export interface EventObserver {
  observe(bridge: string, event: JournalEvent): void;
  tickOk(bridge: string): void;
  journalFailed(bridge: string, error: Error): void;
}

export interface EventSink {
  /**
   * The sink of one bridge. With `trades` (the account's strategy_trade by orderRef), a `close`
   * recorded without its P&L (the bridge learns of a close from the server's lists) is journaled
   * with the prices and P&L strategy_trade reports, looked up off the tick.
   */
  forBridge(bridge: string, options?: { trades?: TradeRows; confirmDelaysMs?: readonly number[] }): BridgeEvents;
  /** Resolves once every event recorded so far is written (or has failed), closes confirmed included: for shutdown and tests. */
  flush(): Promise<void>;
  /**
   * Before this process gives up the bridge's lease (a hand-over, a stop): its closes still being
   * confirmed look once more now instead of waiting, and its events are written while the lease
   * still fences them. Resolves once they are, or after `withinMs`: what is written after the
   * lease went is refused by the store, and each refusal is logged with its event.
   */
  settle(bridge: string, withinMs: number): Promise<void>;
}

/**
 * Journals every event and passes it to the observer. A write that fails after the journal's
 * retries loses no trade (the bridge's own state is the authority): it is logged with the whole
 * event, reported to the observer, and the next entry that can be written is preceded by a
 * `gap` entry counting what was lost, so the chain stays whole and says so.
 */
export function createEventSink(deps: { journal?: Journal; observer?: EventObserver; log: Logger }): EventSink {
  const { journal, observer, log } = deps;
  const pending = new Set<Promise<unknown>>();
  const perBridge = new Map<string, { pending: Set<Promise<unknown>>; hurry: AbortController }>();
  const missed = new Map<string, { count: number; types: string[]; error: string }>();

  const of = (bridge: string) => {
    let entry = perBridge.get(bridge);
    if (!entry) perBridge.set(bridge, (entry = { pending: new Set(), hurry: new AbortController() }));
    return entry;
  };
  function track(bridge: string, work: Promise<unknown>): void {
    const mine = of(bridge).pending;
    pending.add(work);
    mine.add(work);
    void work.finally(() => {
      pending.delete(work);
      mine.delete(work);
    });
  }

  function append(bridge: string, event: JournalEvent): void {
    if (!journal) return;
    const lost = missed.get(bridge);
    if (lost) {
      missed.delete(bridge);
      append(bridge, { type: 'gap', missed: lost.count, types: lost.types, error: lost.error });
    }
    const write = journal.append(bridge, event).catch((error: Error) => {
      if (error instanceof FenceError) {
        // Not a failure of the journal: the chain is another process's now, and it goes on there.
        log.warn({ bridge, event, error: error.message }, 'journal: event dropped: this process no longer holds the bridge, so its chain is not ours to write');
        return;
      }
      log.error({ bridge, event, error: error.message }, 'journal write failed: the event is not in the journal (the trade itself is unaffected)');
      const gap = missed.get(bridge) ?? { count: 0, types: [], error: error.message };
      missed.set(bridge, { count: gap.count + 1, types: [...new Set([...gap.types, event.type])], error: error.message });
      observer?.journalFailed(bridge, error);
    });
    track(bridge, write);
  }

  function emit(bridge: string, event: JournalEvent): void {
    try {
      // Only the lease's holder writes a chain, and this process holds it no more: heard, not journaled.
      if (!(event.type === 'lease' && event.change === 'lost')) append(bridge, event);
      observer?.observe(bridge, event);
    } catch (error) {
      log.error({ bridge, event, error: (error as Error).message }, 'event not recorded');
    }
  }

  function confirm(bridge: string, trades: TradeRows, request: Parameters<typeof confirmClose>[1], delaysMs: readonly number[] | undefined): void {
    const done = confirmClose(trades, request, { log: log.child({ bridge }), delaysMs, hurry: of(bridge).hurry.signal }).then(
      (close) => emit(bridge, close),
      (error: Error) => log.error({ bridge, tradeId: request.tradeId, error: error.message }, 'close not confirmed'),
    );
    track(bridge, done);
  }

  return {
    forBridge(bridge, options = {}) {
      const { trades } = options;
      return {
        record(event) {
          if (trades && event.type === 'close' && event.realisedPnl === undefined) {
            confirm(bridge, trades, closeRequest(event), options.confirmDelaysMs);
            return;
          }
          emit(bridge, event);
        },
        tickOk() {
          observer?.tickOk(bridge);
        },
      };
    },
    async flush() {
      // A confirmation adds an append when it ends: loop until nothing is left.
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async settle(bridge, withinMs) {
      const entry = perBridge.get(bridge);
      if (!entry) return;
      entry.hurry.abort();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), withinMs)));
      try {
        while (entry.pending.size > 0) {
          if ((await Promise.race([Promise.all([...entry.pending]), late])) === 'late') {
            log.warn({ bridge, pending: entry.pending.size, withinMs }, 'journal: events of this bridge still being written as its lease is given up; any refused after it are logged one by one');
            break;
          }
        }
      } finally {
        clearTimeout(timer);
        // The bridge may come back here later: its next confirmations wait as usual.
        if (perBridge.get(bridge) === entry) perBridge.set(bridge, { pending: entry.pending, hurry: new AbortController() });
      }
    },
  };
}

function closeRequest(event: EventOf<'close'>): Parameters<typeof confirmClose>[1] {
  const { tradeId, orderRef, reason, price, serverReason } = event;
  const side = event.side === 'BUY' || event.side === 'SELL' ? event.side : undefined;
  return { tradeId, orderRef, reason, price, serverReason, side, volume: typeof event.volume === 'number' ? event.volume : undefined };
}
