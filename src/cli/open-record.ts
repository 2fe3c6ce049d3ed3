import type { Config } from '../config.js';
import { createEventSink, type EventSink } from '../journal/bridge-events.js';
import { createJournal, type Journal } from '../journal/create-journal.js';
import type { Logger } from '../logging/create-logger.js';
import type { Secrets } from '../logging/secrets.js';
import { createAlerts, type Alerts } from '../notify/create-alerts.js';
import { createChannels } from '../notify/create-channels.js';
import { createNotifier, type Notifier, type NotifierOptions } from '../notify/create-notifier.js';
import type { BridgeLease } from '../store/bridge-lease.js';
import type { Store } from '../store/create-store.js';

/** The record and the voice of a runtime: journal, event sink, notifier and its rules. */
export interface Record {
  readonly journal: Journal;
  readonly events: EventSink;
  readonly notifier: Notifier;
  readonly alerts: Alerts;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
// At shutdown, notifications still queued get this long to leave; a dead receiver cannot hold the exit.
const DRAIN_MS = 3_000;

/**
 * Opens the journal on the store and the notifier on the configured channels. For each bridge
 * this process holds the lease of, records the start (and alerts on real mode) and applies the
 * retention setting: only the one writer of a chain may archive it.
 */
export async function openRecord(
  config: Config,
  store: Store,
  deps: { log: Logger; secrets: Secrets; leased: readonly string[]; leases?: ReadonlyMap<string, BridgeLease>; tookOver?: ReadonlyMap<string, string>; onNotification?: NotifierOptions['onOutcome']; notifyBackoffMs?: number },
): Promise<Record> {
  const log = deps.log.child({ module: 'journal' });
  // A bridge's chain is fenced by its lease, as its state is: a process that lost it cannot append.
  const { leases } = deps;
  const journal = await createJournal(store, { leaseOf: leases && ((id) => leases.get(id)) });
  const notifier = createNotifier({ channels: createChannels(config.notify, deps.secrets), secrets: deps.secrets, log: deps.log.child({ module: 'notify' }), dedupeMs: config.notify.dedupeMinutes * 60_000, backoffMs: deps.notifyBackoffMs, onOutcome: deps.onNotification });
  const alerts = createAlerts(notifier, { failuresInRow: config.notify.failuresInRow, trades: config.notify.trades });
  const events = createEventSink({ journal, observer: alerts, log });
  // A map, not a find per bridge: start-up stays linear in the number of bridges.
  const byId = new Map(config.bridges.map((b) => [b.id, b]));
  for (const id of deps.leased) {
    const bridge = byId.get(id);
    if (!bridge) continue;
    const sink = events.forBridge(id);
    const holder = deps.tookOver?.get(id);
    sink.record(holder ? { type: 'lease', change: 'taken-over', holder } : { type: 'lease', change: 'acquired' });
    sink.record({ type: 'start', mode: bridge.mode, runmode: bridge.runmode });
    if (bridge.mode === 'real') alerts.realModeStart(id, `runmode ${bridge.runmode}, account ${bridge.accountId}, max volume ${bridge.maxVolume ?? 'none'}`);
    if (config.journal.retentionDays !== undefined) {
      await events.flush();
      const before = new Date(Date.now() - config.journal.retentionDays * DAY_MS);
      const { archiveJournal } = await import('../journal/archive-journal.js');
      await archiveJournal(journal, id, { before, dir: config.journal.archiveDir }).then(
        (done) => done.archived > 0 && log.info({ bridge: id, archived: done.archived, uptoSeq: done.uptoSeq, file: done.file }, 'journal entries archived'),
        (error: Error) => {
          log.error({ bridge: id, error: error.message }, 'journal retention failed: nothing was dropped');
          alerts.journalFailed(id, error);
        },
      );
    }
  }
  return {
    journal,
    events,
    notifier,
    alerts,
    async close() {
      await events.flush();
      await notifier.drain(DRAIN_MS);
    },
  };
}
