import type { JournalEntry } from '../journal/events.js';

export interface EquityPoint {
  readonly time: string;
  readonly equity: number;
}

/** The track record of one bridge (or all), from its journal. Money in the account's currency, times in ms. */
export interface Figures {
  readonly signals: number;
  readonly orders: number;
  readonly tradesOpened: number;
  readonly tradesClosed: number;
  /** Share of closed trades with a known P&L above zero; null with none. */
  readonly winRate: number | null;
  readonly realisedPnl: number;
  readonly largestLoss: number;
  readonly maxDrawdown: number;
  readonly avgHoldingMs: number | null;
  readonly failedTicks: number;
  readonly latencyMs: { readonly median: number | null; readonly p95: number | null };
  /** Share of the period (first entry to last) with at least one trade open. */
  readonly timeInMarket: number | null;
  readonly closesWithoutPnl: number;
  readonly equity: readonly EquityPoint[];
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** Figures from journal entries (of one bridge, or several: trades are told apart by bridge and tradeId). */
export function computeFigures(entries: readonly JournalEntry[]): Figures {
  const sorted = [...entries].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.seq - b.seq);
  const openedAt = new Map<string, number>();
  const intervals: [number, number][] = [];
  const holds: number[] = [];
  const latencies: number[] = [];
  const equity: EquityPoint[] = [];
  let signals = 0;
  let orders = 0;
  let opens = 0;
  let closes = 0;
  let wins = 0;
  let known = 0;
  let pnl = 0;
  let largestLoss = 0;
  let peak = 0;
  let maxDrawdown = 0;
  let failed = 0;
  for (const entry of sorted) {
    const at = Date.parse(entry.time);
    switch (entry.type) {
      case 'signal':
        signals += 1;
        break;
      case 'order_sent':
        orders += 1;
        break;
      case 'open':
        opens += 1;
        openedAt.set(`${entry.bridge}/${entry.tradeId}`, at);
        if (entry.latencyMs !== undefined) latencies.push(entry.latencyMs);
        break;
      case 'tick_failed':
        failed += 1;
        break;
      case 'close': {
        closes += 1;
        const key = `${entry.bridge}/${entry.tradeId}`;
        const from = entry.openedAt !== undefined ? Date.parse(entry.openedAt) : openedAt.get(key);
        if (from !== undefined && Number.isFinite(from) && from <= at) {
          holds.push(at - from);
          intervals.push([from, at]);
        }
        openedAt.delete(key);
        if (entry.realisedPnl === undefined) break;
        known += 1;
        if (entry.realisedPnl > 0) wins += 1;
        largestLoss = Math.min(largestLoss, entry.realisedPnl);
        pnl = cents(pnl + entry.realisedPnl);
        peak = Math.max(peak, pnl);
        maxDrawdown = Math.max(maxDrawdown, cents(peak - pnl));
        equity.push({ time: entry.time, equity: pnl });
        break;
      }
      default:
    }
  }
  const first = sorted[0] ? Date.parse(sorted[0].time) : undefined;
  const last = sorted.at(-1) ? Date.parse(sorted.at(-1)!.time) : undefined;
  // Trades still open count until the last entry.
  if (last !== undefined) for (const from of openedAt.values()) intervals.push([from, last]);
  const period = first !== undefined && last !== undefined ? last - first : 0;
  return {
    signals,
    orders: orders || opens,
    tradesOpened: opens,
    tradesClosed: closes,
    winRate: known > 0 ? wins / known : null,
    realisedPnl: pnl,
    largestLoss,
    maxDrawdown,
    avgHoldingMs: holds.length > 0 ? holds.reduce((a, b) => a + b, 0) / holds.length : null,
    failedTicks: failed,
    latencyMs: { median: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) },
    timeInMarket: period > 0 ? unionLength(intervals) / period : null,
    closesWithoutPnl: closes - known,
    equity,
  };
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function unionLength(intervals: [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}
