import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/notify/alert.js';
import { createAlerts } from '../../src/notify/create-alerts.js';
import type { Notifier } from '../../src/notify/create-notifier.js';

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
