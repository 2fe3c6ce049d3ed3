import type { EventObserver } from '../journal/bridge-events.js';
import type { JournalEvent, SkipReason } from '../journal/events.js';
import type { Notifier } from './create-notifier.js';

export interface Alerts extends EventObserver {
  verifyFailed(bridge: string, seq: number, reason: string): void;
  /** A process started trading a bridge in real mode. */
  realModeStart(bridge: string, detail: string): void;
  /** Scheduled moments of one schedule that did not tick these bridges: one alert for all of them. */
  momentSkipped(skip: SkippedMoments): void;
}

export interface SkippedMoments {
  readonly schedule: string;
  readonly reason: SkipReason;
  /** Oldest first. */
  readonly moments: readonly Date[];
  readonly bridges: readonly string[];
}

/** Bridge ids named in a skipped-moment alert; the rest are counted. */
const NAMED_BRIDGES = 5;

const SKIP_CAUSE: Record<SkipReason, string> = {
  'event-loop-blocked': 'the event loop was blocked past it',
  'previous-tick-running': 'the previous tick was still running',
};

export interface AlertRules {
  /** A tick that failed this many times in a row is reported (then every further failure counts into the next report). */
  readonly failuresInRow: number;
  /** Opt-in: every published trade and close. */
  readonly trades: boolean;
}

/**
 * Which events deserve a message: failures that need a person (ticks failing in a row, halts,
 * lease changes, orphans, authentication and rate limits, a journal that cannot be written or
 * verified, real-mode start-ups, scheduled moments skipped) and, opted in, every trade published.
 */
export function createAlerts(notifier: Notifier, rules: AlertRules): Alerts {
  const failures = new Map<string, number>();
  const send = (bridge: string, key: string, level: 'info' | 'warning' | 'critical', title: string, text: string) =>
    notifier.notify({ key: `${key}:${bridge}`, bridge, level, title, text });

  return {
    observe(bridge, event: JournalEvent) {
      switch (event.type) {
        case 'tick_failed': {
          const count = (failures.get(bridge) ?? 0) + 1;
          failures.set(bridge, count);
          if (event.errorType === 'AuthError') send(bridge, 'auth', 'critical', 'authentication failed', event.reason);
          else if (event.errorType === 'RateLimitError' || event.errorType === 'PausedError') send(bridge, 'rate-limit', 'warning', 'rate limited: pausing', event.reason);
          if (count >= rules.failuresInRow) send(bridge, 'tick_failed', 'critical', `${count} ticks failed in a row`, event.reason);
          return;
        }
        case 'halt':
          send(bridge, `halt-${event.kind}`, 'critical', event.kind === 'circuit-breaker' ? 'circuit breaker' : 'halted', event.reason);
          return;
        case 'lease':
          if (event.change === 'lost' || event.change === 'taken-over') send(bridge, `lease-${event.change}`, 'critical', `lease ${event.change}`, event.holder ? `holder ${event.holder}` : 'this process stopped trading the bridge');
          return;
        case 'orphan':
          send(bridge, `orphan-${event.tradeId}`, 'warning', 'orphan found', `trade ${event.tradeId} (orderRef ${event.orderRef}) is on the account but not tracked: close it with close --adopt-orphans`);
          return;
        case 'gap':
          send(bridge, 'journal-gap', 'critical', 'journal write failed', `${event.missed} event(s) missing from the journal: ${event.error}`);
          return;
        case 'open':
          if (rules.trades) send(bridge, `open-${event.tradeId}`, 'info', 'opened', `${event.side} ${event.volume} ${event.instrument}${event.price === undefined ? '' : ` at ${event.price}`}, trade ${event.tradeId}`);
          return;
        case 'close':
          if (rules.trades) send(bridge, `close-${event.tradeId}`, 'info', 'closed', `trade ${event.tradeId} (${event.reason})${event.price === undefined ? '' : ` at ${event.price}`}${event.realisedPnl === undefined ? '' : `, P&L ${event.realisedPnl}`}`);
          return;
        default:
      }
    },
    tickOk(bridge) {
      failures.delete(bridge);
    },
    journalFailed(bridge, error) {
      send(bridge, 'journal-write', 'critical', 'journal write failed', `${error.message} (trading goes on; the journal records the gap)`);
    },
    verifyFailed(bridge, seq, reason) {
      send(bridge, 'journal-verify', 'critical', 'journal verification failed', `entry ${seq}: ${reason}`);
    },
    realModeStart(bridge, detail) {
      send(bridge, 'real-start', 'warning', 'started in REAL mode', detail);
    },
    momentSkipped({ schedule, reason, moments, bridges }) {
      if (moments.length === 0 || bridges.length === 0) return;
      // Keyed by schedule and reason, not by bridge: 10,000 bridges skipping one moment make one
      // message, and the dedupe window holds back the next ones (counted into the next message).
      const first = moments[0]!.toISOString();
      const when = moments.length === 1 ? `at ${first}` : `at ${moments.length} moments, ${first} to ${moments.at(-1)!.toISOString()}`;
      const named = bridges.slice(0, NAMED_BRIDGES).join(', ');
      const who = bridges.length <= NAMED_BRIDGES ? named : `${named} and ${bridges.length - NAMED_BRIDGES} more`;
      notifier.notify({
        key: `moment-skipped-${reason}:${schedule}`,
        bridge: bridges.length === 1 ? bridges[0] : undefined,
        level: reason === 'event-loop-blocked' ? 'critical' : 'warning',
        title: 'scheduled moment skipped',
        text: `${bridges.length} bridge(s) on schedule "${schedule}" did not tick ${when}: ${SKIP_CAUSE[reason]} (${who})`,
      });
    },
  };
}
