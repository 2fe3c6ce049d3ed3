import type { TrackRecord } from '../algogene/track-record.js';
import type { JournalEntry } from '../journal/events.js';
import { computeFigures, type Figures } from './compute-figures.js';

/** The marketplace's figures beside a bridge's own, and where they differ. */
export interface MarketplaceFigures {
  readonly account: string;
  /** Closed trades on the account with this bridge's orderRef prefix (strategy_trade). */
  readonly tradesClosed?: number;
  /** The sum of those closes' realizedPL, when the server reports one for each. */
  readonly realisedPnl?: number;
  readonly totalPnl?: number;
  readonly tradeCount?: number;
  readonly cumulativePl?: number;
  /** The account carries other bridges' trades too: its totals are compared with their sum. */
  readonly sharedWith?: readonly string[];
  readonly error?: string;
}

export interface BridgeReport extends Omit<Figures, 'equity'> {
  readonly id: string;
  readonly algogene: MarketplaceFigures | null;
  readonly differences: readonly string[];
  readonly equity: Figures['equity'];
}

export interface Report {
  readonly since?: string;
  readonly bridges: readonly BridgeReport[];
  readonly total: Omit<Figures, 'equity'>;
}

const PNL_TOLERANCE = 0.005;

/**
 * Per bridge and in total, from the journal; beside each bridge, what ALGOGENE reports for its
 * account (`records`, by account id, when it could be fetched), with every difference named.
 */
export function buildReport(input: {
  entries: readonly JournalEntry[];
  bridges: readonly { id: string; account?: string }[];
  records?: ReadonlyMap<string, TrackRecord | Error>;
  since?: Date;
}): Report {
  const ids = [...new Set([...input.bridges.map((b) => b.id), ...input.entries.map((e) => e.bridge)])].sort();
  const accountOf = new Map(input.bridges.map((b) => [b.id, b.account]));
  const own = new Map(ids.map((id) => [id, computeFigures(input.entries.filter((e) => e.bridge === id))]));
  const bridges = ids.map((id): BridgeReport => {
    const figures = own.get(id)!;
    const account = accountOf.get(id);
    const record = account === undefined ? undefined : input.records?.get(account);
    if (account === undefined || record === undefined) return { id, ...figures, algogene: null, differences: [] };
    if (record instanceof Error) return { id, ...figures, algogene: { account, error: record.message }, differences: [] };
    const prefix = `sb.${id}.`;
    const closes = record.transactions.filter((t) => t.openclose === 'close' && t.orderRef.startsWith(prefix));
    const tradesClosed = new Set(closes.map((t) => t.tradeId)).size;
    const realisedPnl = closes.every((t) => t.realizedPL !== undefined) ? Math.round(closes.reduce((sum, t) => sum + t.realizedPL!, 0) * 100) / 100 : undefined;
    const sharing = ids.filter((other) => accountOf.get(other) === account);
    const differences: string[] = [];
    if (!input.since && tradesClosed !== figures.tradesClosed) differences.push(`trades closed: journal ${figures.tradesClosed}, ALGOGENE ${tradesClosed}`);
    if (!input.since && realisedPnl !== undefined && Math.abs(realisedPnl - figures.realisedPnl) > PNL_TOLERANCE) differences.push(`realised P&L of this bridge's trades: journal ${figures.realisedPnl}, ALGOGENE ${realisedPnl}`);
    const ours = sharing.reduce((sum, other) => sum + own.get(other)!.realisedPnl, 0);
    if (!input.since && record.totalPnl !== undefined && Math.abs(record.totalPnl - ours) > PNL_TOLERANCE) {
      differences.push(`account's realised P&L: journal ${Math.round(ours * 100) / 100}${sharing.length > 1 ? ` (bridges ${sharing.join(', ')})` : ''}, ALGOGENE ${record.totalPnl}`);
    }
    if (figures.closesWithoutPnl > 0) differences.push(`${figures.closesWithoutPnl} close(s) in the journal without a P&L: the journal's total misses them`);
    return {
      id,
      ...figures,
      algogene: { account, tradesClosed, realisedPnl, totalPnl: record.totalPnl, tradeCount: record.tradeCount, cumulativePl: record.cumulativePl, sharedWith: sharing.length > 1 ? sharing.filter((o) => o !== id) : undefined },
      differences,
    };
  });
  const { equity: _equity, ...total } = computeFigures(input.entries);
  return { since: input.since?.toISOString(), bridges, total };
}
