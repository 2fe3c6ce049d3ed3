import type { Logger } from '../logging/create-logger.js';
import type { Journal } from './create-journal.js';
import type { JournalEvent } from './events.js';

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
  forBridge(bridge: string): BridgeEvents;
  /** Resolves once every event recorded so far is written (or has failed): for shutdown and tests. */
  flush(): Promise<void>;
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
  const missed = new Map<string, { count: number; types: string[]; error: string }>();

  function append(bridge: string, event: JournalEvent): void {
    if (!journal) return;
    const lost = missed.get(bridge);
    if (lost) {
      missed.delete(bridge);
      append(bridge, { type: 'gap', missed: lost.count, types: lost.types, error: lost.error });
    }
    const write = journal.append(bridge, event).catch((error: Error) => {
      log.error({ bridge, event, error: error.message }, 'journal write failed: the event is not in the journal (the trade itself is unaffected)');
      const gap = missed.get(bridge) ?? { count: 0, types: [], error: error.message };
      missed.set(bridge, { count: gap.count + 1, types: [...new Set([...gap.types, event.type])], error: error.message });
      observer?.journalFailed(bridge, error);
    });
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  return {
    forBridge(bridge) {
      return {
        record(event) {
          try {
            append(bridge, event);
            observer?.observe(bridge, event);
          } catch (error) {
            log.error({ bridge, event, error: (error as Error).message }, 'event not recorded');
          }
        },
        tickOk() {
          observer?.tickOk(bridge);
        },
      };
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
