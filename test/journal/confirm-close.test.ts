import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/algogene/api-error.js';
import { createEventSink } from '../../src/journal/bridge-events.js';
import type { TradeRow } from '../../src/journal/confirm-close.js';
import { journalOn } from '../../src/journal/create-journal.js';
import { memoryJournal } from '../../src/journal/memory-journal.js';
import { captureLog } from '../helpers/capture-log.js';

const rows = (closePrice: number, reason?: string): TradeRow[] => [
  { tradeId: '746800000001', openclose: 'open', price: 30000.5, volume: 2, timestamp: '2026-11-22 10:00:00.250000' },
  { tradeId: '746800000001', openclose: 'close', price: closePrice, volume: 2, timestamp: '2026-11-22 10:05:00.5', reason },
];

function setup(lookup: (orderRef: string) => Promise<readonly TradeRow[]>) {
  const journal = journalOn(memoryJournal());
  const logs = captureLog();
  const sink = createEventSink({ journal, log: logs.log });
  return { journal, logs, sink, events: sink.forBridge('b1', { trades: lookup, confirmDelaysMs: [1, 1, 1] }) };
}

describe('a close is journaled with the price and P&L the server reports', () => {
  it('once strategy_trade shows the close', async () => {
    let calls = 0;
    const { journal, sink, events } = setup(async (orderRef) => {
      calls += 1;
      expect(orderRef).toBe('sb.b1.a');
      return calls < 2 ? rows(0).slice(0, 1) : rows(29990.25);
    });
    events.record({ type: 'close_requested', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'signal', outcome: 'closing', side: 'SELL', volume: 2 });
    events.record({ type: 'close', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'signal', side: 'SELL', volume: 2 });
    await sink.flush();
    const entries = await journal.entries();
    expect(entries.map((e) => e.type)).toEqual(['close_requested', 'close']);
    // SELL 2 at 30000.5, bought back at 29990.25: +20.50 (computed: these rows carry no realizedPL).
    expect(entries[1]).toMatchObject({ tradeId: '746800000001', reason: 'signal', price: 29990.25, openPrice: 30000.5, realisedPnl: 20.5, openedAt: '2026-11-22T10:00:00.250Z', closedAt: '2026-11-22T10:05:00.500Z' });
  });

  it('a close the server made itself keeps its reason', async () => {
    const { journal, sink, events } = setup(async () => rows(30100.5, 'Take Profit'));
    events.record({ type: 'close', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'manual', side: 'BUY', volume: 2 });
    await sink.flush();
    expect((await journal.entries())[0]).toMatchObject({ type: 'close', reason: 'take-profit', serverReason: 'Take Profit', realisedPnl: 200 });
  });

  it('a server that never shows it: the close is journaled without a P&L, and says why', async () => {
    const { journal, sink, events, logs } = setup(async () => Promise.reject(new ApiError('/strategy_trade', 'not found', 404)));
    events.record({ type: 'close', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'halt', side: 'BUY', volume: 1 });
    await sink.flush();
    const close = (await journal.entries())[0]!;
    expect(close).toMatchObject({ type: 'close', reason: 'halt' });
    expect(close).not.toHaveProperty('realisedPnl');
    expect(logs.find('strategy_trade did not show the close: journaled without its price and P&L')).toHaveLength(1);
  });

  it('a close that already carries its P&L, and a close request, are journaled as they are', async () => {
    let calls = 0;
    const { journal, sink, events } = setup(async () => {
      calls += 1;
      return [];
    });
    events.record({ type: 'close_requested', tradeId: '1', orderRef: 'sb.b1.a', reason: 'signal', outcome: 'closing' });
    events.record({ type: 'close', tradeId: '1', orderRef: 'sb.b1.a', reason: 'signal', price: 10, realisedPnl: 1 });
    await sink.flush();
    expect(calls).toBe(0);
    expect((await journal.entries()).map((e) => e.type)).toEqual(['close_requested', 'close']);
  });
});

describe('a close still being confirmed when the bridge is handed over', () => {
  it('looks once more at once and is journaled with its P&L before settle resolves, instead of waiting out its delays', async () => {
    let calls = 0;
    const journal = journalOn(memoryJournal());
    const sink = createEventSink({ journal, log: captureLog().log });
    // The server shows the close from the second look-up on; the first waits a minute before the next.
    const events = sink.forBridge('b1', {
      trades: async () => {
        calls += 1;
        return calls < 2 ? rows(0).slice(0, 1) : rows(29990.25);
      },
      confirmDelaysMs: [1, 60_000, 60_000],
    });
    events.record({ type: 'close', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'signal', side: 'SELL', volume: 2 });
    while (calls < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await sink.settle('b1', 5_000);
    expect(calls).toBe(2);
    expect(await journal.entries()).toMatchObject([{ type: 'close', price: 29990.25, realisedPnl: 20.5 }]);
  });

  it('a server that does not show it yet: journaled at once without a P&L, saying it was handed over first', async () => {
    const journal = journalOn(memoryJournal());
    const logs = captureLog();
    const sink = createEventSink({ journal, log: logs.log });
    const events = sink.forBridge('b1', { trades: async () => rows(0).slice(0, 1), confirmDelaysMs: [60_000, 60_000] });
    events.record({ type: 'close', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'signal', side: 'SELL', volume: 2 });
    await sink.settle('b1', 5_000);
    const [close] = await journal.entries();
    expect(close).toMatchObject({ type: 'close', unconfirmed: 'strategy_trade did not show the close before the bridge was handed over' });
    expect(close).not.toHaveProperty('realisedPnl');
    // The bridge may come back: its next close waits for the server as usual.
    let later = 0;
    const again = sink.forBridge('b1', { trades: async () => (later += 1) > 1 ? rows(29990.25) : rows(0).slice(0, 1), confirmDelaysMs: [1, 1, 1] });
    again.record({ type: 'close', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'signal', side: 'SELL', volume: 2 });
    await sink.flush();
    expect((await journal.entries())[1]).toMatchObject({ realisedPnl: 20.5 });
  });
});
