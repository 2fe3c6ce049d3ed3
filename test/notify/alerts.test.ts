import { describe, expect, it } from 'vitest';
import type { Alert, OutgoingMessage } from '../../src/notify/alert.js';
import { messageText } from '../../src/notify/alert.js';
import { createAlerts } from '../../src/notify/create-alerts.js';
import { createNotifier, type Notifier } from '../../src/notify/create-notifier.js';
import { captureLog } from '../helpers/capture-log.js';

function recorder(): Notifier & { sent: Alert[] } {
  const sent: Alert[] = [];
  return { sent, notify: (a) => sent.push(a), drain: async () => {} };
}

describe('which events make a notification', () => {
  it('failed ticks: from the Nth in a row, reset by a good tick', () => {
    const n = recorder();
    const alerts = createAlerts(n, { failuresInRow: 3, trades: false });
    const fail = { type: 'tick_failed', reason: 'strategy threw' } as const;
    alerts.observe('b1', fail);
    alerts.observe('b1', fail);
    alerts.tickOk('b1');
    alerts.observe('b1', fail);
    alerts.observe('b1', fail);
    expect(n.sent).toEqual([]);
    alerts.observe('b2', fail);
    alerts.observe('b1', fail);
    expect(n.sent).toEqual([expect.objectContaining({ key: 'tick_failed:b1', bridge: 'b1', title: '3 ticks failed in a row', text: 'strategy threw' })]);
  });

  it('authentication failures and rate limits at once, halts, lost leases, orphans, journal gaps', () => {
    const n = recorder();
    const alerts = createAlerts(n, { failuresInRow: 3, trades: false });
    alerts.observe('b1', { type: 'tick_failed', reason: 'Invalid session!', errorType: 'AuthError' });
    alerts.observe('b1', { type: 'tick_failed', reason: 'Exceed maximum access count', errorType: 'RateLimitError' });
    alerts.observe('b1', { type: 'halt', kind: 'circuit-breaker', reason: '10 orders in the last hour' });
    alerts.observe('b1', { type: 'lease', change: 'lost' });
    alerts.observe('b1', { type: 'lease', change: 'acquired' });
    alerts.observe('b1', { type: 'orphan', tradeId: '7', orderRef: 'sb.b1.x' });
    alerts.observe('b1', { type: 'gap', missed: 2, types: ['open'], error: 'disk full' });
    alerts.journalFailed('b1', new Error('SQLITE_FULL'));
    alerts.verifyFailed('b1', 4, 'hash does not match');
    alerts.realModeStart('b1', 'runmode livetrade');
    expect(n.sent.map((a) => a.title)).toEqual([
      'authentication failed',
      'rate limited: pausing',
      'circuit breaker',
      'lease lost',
      'orphan found',
      'journal write failed',
      'journal write failed',
      'journal verification failed',
      'started in REAL mode',
    ]);
  });

  it('trades and closes only when opted in', () => {
    const open = { type: 'open', orderRef: 'sb.b1.a', tradeId: '1', side: 'BUY', volume: 1, instrument: 'BTCUSD', price: 100 } as const;
    const close = { type: 'close', tradeId: '1', reason: 'take-profit', price: 110, realisedPnl: 10 } as const;
    const quiet = recorder();
    const quietAlerts = createAlerts(quiet, { failuresInRow: 3, trades: false });
    quietAlerts.observe('b1', open);
    quietAlerts.observe('b1', close);
    expect(quiet.sent).toEqual([]);
    const loud = recorder();
    const loudAlerts = createAlerts(loud, { failuresInRow: 3, trades: true });
    loudAlerts.observe('b1', open);
    loudAlerts.observe('b1', close);
    expect(loud.sent.map((a) => a.text)).toEqual(['BUY 1 BTCUSD at 100, trade 1', 'trade 1 (take-profit) at 110, P&L 10']);
  });
});

describe('skipped scheduled moments', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s));

  it('10,000 bridges skipping moment after moment make one message per reason within the dedupe window, naming the count and a few bridges', async () => {
    const delivered: OutgoingMessage[] = [];
    let now = Date.UTC(2026, 10, 22, 10, 0, 0);
    const notifier = createNotifier({
      channels: [{ name: 'chat', send: async (m) => void delivered.push(m) }],
      secrets: captureLog().secrets,
      log: captureLog().log,
      dedupeMs: 10 * 60_000,
      now: () => now,
    });
    const alerts = createAlerts(notifier, { failuresInRow: 3, trades: false });
    const bridges = Array.from({ length: 10_000 }, (_, i) => `b${i}`);
    alerts.momentSkipped({ schedule: '*/20 * * * * *', reason: 'event-loop-blocked', moments: [at(20), at(40)], bridges });
    alerts.momentSkipped({ schedule: '*/20 * * * * *', reason: 'previous-tick-running', moments: [at(0)], bridges: bridges.slice(0, 8_000) });
    for (let s = 1; s < 30; s += 1) {
      now += 20_000;
      alerts.momentSkipped({ schedule: '*/20 * * * * *', reason: 'previous-tick-running', moments: [at(s)], bridges: bridges.slice(0, 8_000) });
    }
    await notifier.drain();
    expect(delivered.map((m) => ({ key: m.key, level: m.level, bridge: m.bridge, suppressed: m.suppressed }))).toEqual([
      { key: 'moment-skipped-event-loop-blocked:*/20 * * * * *', level: 'critical', bridge: undefined, suppressed: 0 },
      { key: 'moment-skipped-previous-tick-running:*/20 * * * * *', level: 'warning', bridge: undefined, suppressed: 0 },
    ]);
    expect(messageText(delivered[0]!)).toBe(
      '[signal-bridge] scheduled moment skipped: 10000 bridge(s) on schedule "*/20 * * * * *" did not tick at 2 moments, 2026-11-22T10:00:20.000Z to 2026-11-22T10:00:40.000Z: the event loop was blocked past it (b0, b1, b2, b3, b4 and 9995 more)',
    );
    expect(delivered[1]!.text).toContain('8000 bridge(s)');
    // Past the window, the next one goes, and says how many were held back.
    now += 10 * 60_000;
    alerts.momentSkipped({ schedule: '*/20 * * * * *', reason: 'previous-tick-running', moments: [at(59)], bridges: ['b7'] });
    await notifier.drain();
    expect(delivered).toHaveLength(3);
    expect(messageText(delivered[2]!)).toBe(
      '[signal-bridge b7] scheduled moment skipped: 1 bridge(s) on schedule "*/20 * * * * *" did not tick at 2026-11-22T10:00:59.000Z: the previous tick was still running (b7) (and 29 more)',
    );
  });

  it('is not raised from the journal: a bridge\'s moment_skipped entry makes no message of its own', () => {
    const n = recorder();
    const alerts = createAlerts(n, { failuresInRow: 3, trades: false });
    alerts.observe('b1', { type: 'moment_skipped', reason: 'event-loop-blocked', scheduledAt: at(1).toISOString(), moments: 1 });
    expect(n.sent).toEqual([]);
  });
});
