import type { SkippedEvent } from '../bridge/run-worker.js';
import type { EventSink } from '../journal/bridge-events.js';
import type { SkipReason } from '../journal/events.js';
import type { Alerts } from '../notify/create-alerts.js';

/**
 * Nothing silent: the worker has logged each scheduled moment it skipped; here each one is also
 * counted per bridge (`count`: the metrics), journaled in each bridge's chain (one entry per
 * bridge for the moments of one event, however many passed), and notified once for all the
 * bridges of the event.
 */
export function createSkipReport(deps: { alerts: Pick<Alerts, 'momentSkipped'>; events?: Pick<EventSink, 'forBridge'>; count?: (bridgeId: string, reason: SkipReason, moments: number) => void }): (event: SkippedEvent) => void {
  return ({ schedule, reason, moments, bridges }) => {
    if (moments.length === 0 || bridges.length === 0) return;
    const scheduledAt = moments[0]!.toISOString();
    const span = moments.length > 1 ? { last: moments.at(-1)!.toISOString() } : {};
    const ids = bridges.map((bridge) => bridge.id);
    for (const id of ids) {
      deps.count?.(id, reason, moments.length);
      deps.events?.forBridge(id).record({ type: 'moment_skipped', reason, scheduledAt, moments: moments.length, ...span });
    }
    deps.alerts.momentSkipped({ schedule, reason, moments, bridges: ids });
  };
}
