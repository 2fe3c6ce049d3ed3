import { describe, expect, it } from 'vitest';
import type { JournalEntry, JournalEvent } from '../../src/journal/events.js';
import { buildReport } from '../../src/report/build-report.js';
import { computeFigures, percentile } from '../../src/report/compute-figures.js';
import { renderEquitySvg } from '../../src/report/render-equity-svg.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
let seq = 0;
function at(minute: number, event: JournalEvent, bridge = 'b1'): JournalEntry {
  seq += 1;
  return { ...event, bridge, seq, time: new Date(T0 + minute * 60_000).toISOString(), prev: '', hash: '' } as JournalEntry;
}
const open = (tradeId: string, latencyMs: number): JournalEvent => ({ type: 'open', orderRef: `sb.b1.${tradeId}`, tradeId, side: 'BUY', volume: 1, instrument: 'BTCUSD', latencyMs });
const close = (tradeId: string, realisedPnl?: number): JournalEvent => ({ type: 'close', tradeId, reason: 'signal', realisedPnl });

// Equity: +10, -25 (trough -15), +5, +30 → 20; peak 10, trough -15: drawdown 25.
const run = [
  at(0, { type: 'signal', source: 'random', side: 'BUY' }),
  at(0, open('1', 100)),
  at(10, close('1', 10)),
  at(10, open('2', 120)),
  at(20, close('2', -25)),
  at(30, { type: 'tick_failed', reason: 'x' }),
  at(40, open('3', 110)),
  at(50, close('3', 5)),
  at(50, open('4', 300)),
  at(60, close('4', 30)),
  at(80, { type: 'tick_failed', reason: 'y' }),
];

describe('the figures of a track record', () => {
  it('counts, P&L, win rate, largest loss, drawdown, holding, latency, time in market', () => {
    const f = computeFigures(run);
    expect(f).toMatchObject({ signals: 1, orders: 4, tradesOpened: 4, tradesClosed: 4, failedTicks: 2, realisedPnl: 20, winRate: 0.75, largestLoss: -25, maxDrawdown: 25, closesWithoutPnl: 0 });
    expect(f.avgHoldingMs).toBe(10 * 60_000);
    expect(f.latencyMs).toEqual({ median: 110, p95: 300 });
    // Open 0-20 and 40-60 of 80 minutes.
    expect(f.timeInMarket).toBe(0.5);
    expect(f.equity.map((p) => p.equity)).toEqual([10, -15, -10, 20]);
  });

  it('a close without a P&L is counted but not guessed', () => {
    const f = computeFigures([at(0, open('9', 1)), at(5, close('9'))]);
    expect(f).toMatchObject({ tradesClosed: 1, realisedPnl: 0, winRate: null, closesWithoutPnl: 1 });
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile(Array.from({ length: 20 }, (_, n) => n + 1), 0.95)).toBe(19);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('the report beside ALGOGENE', () => {
  const record = (totalPnl: number, closes: string[]) => ({
    totalPnl,
    tradeCount: closes.length,
    cumulativePl: totalPnl,
    transactions: closes.flatMap((id) => [{ tradeId: id, openclose: 'open', orderRef: `sb.b1.${id}` }, { tradeId: id, openclose: 'close', orderRef: `sb.b1.${id}` }]),
  });

  it('agrees when the figures match', () => {
    const report = buildReport({ entries: run, bridges: [{ id: 'b1', account: 'a1' }], records: new Map([['a1', record(20, ['1', '2', '3', '4'])]]) });
    expect(report.bridges[0]).toMatchObject({ id: 'b1', tradesClosed: 4, realisedPnl: 20, winRate: 0.75, maxDrawdown: 25, algogene: { account: 'a1', tradesClosed: 4, totalPnl: 20 }, differences: [] });
  });

  it('flags a different count and P&L', () => {
    const report = buildReport({ entries: run, bridges: [{ id: 'b1', account: 'a1' }], records: new Map([['a1', record(35, ['1', '2', '3', '4', '5'])]]) });
    expect(report.bridges[0]!.differences).toEqual(['trades closed: journal 4, ALGOGENE 5', "account's realised P&L: journal 20, ALGOGENE 35"]);
  });

  it('says why the marketplace is missing', () => {
    const report = buildReport({ entries: run, bridges: [{ id: 'b1', account: 'a1' }], records: new Map([['a1', new Error('connect ECONNREFUSED')]]) });
    expect(report.bridges[0]!.algogene).toEqual({ account: 'a1', error: 'connect ECONNREFUSED' });
  });

  it('totals over bridges', () => {
    const other = [at(0, open('7', 50), 'b2'), at(5, close('7', -3), 'b2')];
    const report = buildReport({ entries: [...run, ...other], bridges: [{ id: 'b1' }, { id: 'b2' }] });
    expect(report.bridges.map((b) => [b.id, b.realisedPnl])).toEqual([['b1', 20], ['b2', -3]]);
    expect(report.total).toMatchObject({ tradesClosed: 5, realisedPnl: 17 });
  });
});

describe('the equity chart', () => {
  it('is an SVG whose path steps through every point', () => {
    const svg = renderEquitySvg('bridge b1', computeFigures(run).equity);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('realised P&amp;L 20 over 4 closed trade(s)');
    const path = /<path d="([^"]+)"/.exec(svg)![1]!;
    expect(path.match(/V/g)).toHaveLength(4);
  });
});
