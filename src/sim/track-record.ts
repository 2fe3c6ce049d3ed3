/**
 * The track record investors see: strategy_trade (every transaction), strategy_pl (daily cumulative P/L) and
 * strategy_stats. All three are computed from the same books, so they agree with each other to the cent.
 */
import type { Accounts } from './accounts.js';
import { type BookKey, type Books, cents, type Trade } from './book.js';
import type { PriceFeed } from './prices.js';
import { accountParam, fail, type Handler, isReply, ok, type Params, type Reply, show } from './reply.js';
import { formatUtcUs, parseUtc } from './time.js';

interface TrackState {
  userOf: (p: Params) => string | Reply;
  books: Books;
  prices: PriceFeed;
  accounts: Accounts;
}

export interface Transaction {
  timestamp: string;
  Acdate: string;
  trade_ID: string;
  order_ref: string;
  instrument: string;
  symbol: string;
  /** The transaction's own direction: closing a BUY is a sell (-1). */
  buysell: 1 | -1;
  openclose: 'open' | 'close';
  price: number;
  volume: number;
  /** 0 for an open; the trade's realised P/L (cents) for its close. */
  realizedPL: number;
  /** '' for an open; api, takeProfit, stopLoss or holdtime for a close. */
  reason: string;
  broker: string;
  market: string;
  product_type: string;
  channel: string;
}

const acdateOf = (us: number) => formatUtcUs(us).slice(0, 10);
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function trackRecordRoutes(s: TrackState): Array<[string, Handler]> {
  /** Key (no token), runmode, runtime_id (the account), optional acdate. */
  const scope = (p: Params): { key: BookKey; balance: number; acdate: string | undefined } | Reply => {
    const user = s.userOf(p);
    if (isReply(user)) return user;
    const { runmode, acdate } = p;
    if (runmode === 'backtest') return fail(400, `backtest runtime not found: ${show(p.runtime_id)} (the simulator runs no backtests)`);
    if (runmode !== 'livetest' && runmode !== 'livetrade') return fail(400, 'invalid runmode');
    const id = accountParam(p.runtime_id);
    if (id === undefined) return fail(400, 'missing runtime_id');
    const account = s.accounts.find(user, runmode, id);
    if (!account) return fail(400, `account not found: ${show(id)} (runmode ${runmode})`);
    if (acdate !== undefined && acdate !== '' && (typeof acdate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(acdate) || parseUtc(acdate) === undefined)) {
      return fail(400, 'invalid acdate: expected YYYY-MM-DD');
    }
    return { key: { user, accountid: id, runmode }, balance: account.balance, acdate: acdate === '' ? undefined : (acdate as string | undefined) };
  };

  const transactions = (key: BookKey, nowUs: number): Transaction[] => {
    const txs: Array<Transaction & { us: number; seq: number }> = [];
    let seq = 0;
    const base = (t: Trade) => {
      const spec = s.prices.spec(t.instrument)!;
      return { trade_ID: t.tradeId, order_ref: t.orderRef, instrument: t.instrument, symbol: t.instrument, volume: t.volume, broker: 'ALGOGENE', market: spec.market, product_type: spec.productType, channel: 'api' };
    };
    for (const t of s.books.trades(key, nowUs)) {
      if (t.openedUs === null || t.entryPrice === null) continue;
      const dir = t.buysell === 'BUY' ? 1 : -1;
      const at = (us: number) => ({ us, timestamp: formatUtcUs(us), Acdate: acdateOf(us), seq: seq++ });
      txs.push({ ...at(t.openedUs), ...base(t), buysell: dir, openclose: 'open', price: t.entryPrice, realizedPL: 0, reason: '' });
      if (t.state === 'closed') {
        txs.push({ ...at(t.endedUs!), ...base(t), buysell: dir === 1 ? -1 : 1, openclose: 'close', price: t.closePrice!, realizedPL: t.realizedPL!, reason: t.closeReason! });
      }
    }
    txs.sort((a, b) => a.us - b.us || a.seq - b.seq);
    return txs.map(({ us: _us, seq: _seq, ...tx }) => tx);
  };

  /** One row per accounting date from the first transaction to today, cumulative realised P/L (cents). */
  const dailyPl = (key: BookKey, nowUs: number) => {
    const txs = transactions(key, nowUs);
    if (txs.length === 0) return [];
    const instruments = [...new Set(txs.map((t) => t.instrument))].sort();
    const rows: Array<Record<string, string | number>> = [];
    const cum: Record<string, number> = Object.fromEntries(instruments.map((i) => [i, 0]));
    let i = 0;
    for (let day = parseUtc(txs[0]!.Acdate)!; day <= parseUtc(acdateOf(nowUs))!; day += 86_400_000) {
      const Acdate = acdateOf(day * 1000);
      for (; i < txs.length && txs[i]!.Acdate === Acdate; i++) cum[txs[i]!.instrument]! += txs[i]!.realizedPL;
      const row: Record<string, string | number> = { Acdate, TotalPL: cents(instruments.reduce((a, k) => a + cum[k]!, 0)) };
      for (const k of instruments) row[k] = cents(cum[k]!);
      rows.push(row);
    }
    return rows;
  };

  const trade: Handler = (p, nowUs) => {
    const sc = scope(p);
    if (isReply(sc)) return sc;
    const ref = typeof p.orderRef === 'string' && p.orderRef !== '' ? p.orderRef : undefined;
    const res = transactions(sc.key, nowUs).filter((t) => (sc.acdate === undefined || t.Acdate === sc.acdate) && (ref === undefined || t.order_ref === ref));
    return ok({ count: res.length, res });
  };

  const pl: Handler = (p, nowUs) => {
    const sc = scope(p);
    if (isReply(sc)) return sc;
    const res = dailyPl(sc.key, nowUs).filter((r) => sc.acdate === undefined || r.Acdate === sc.acdate);
    return ok({ count: res.length, res });
  };

  const stats: Handler = (p, nowUs) => {
    const sc = scope(p);
    if (isReply(sc)) return sc;
    const until = (d: string) => sc.acdate === undefined || d <= sc.acdate;
    const rows = dailyPl(sc.key, nowUs).filter((r) => until(String(r.Acdate)));
    const closes = transactions(sc.key, nowUs).filter((t) => t.openclose === 'close' && until(t.Acdate));
    const wins = closes.filter((t) => t.realizedPL > 0);
    const losses = closes.filter((t) => t.realizedPL < 0);
    const grossWin = wins.reduce((a, t) => a + t.realizedPL, 0);
    const grossLoss = -losses.reduce((a, t) => a + t.realizedPL, 0);
    const equity = rows.map((r) => sc.balance + Number(r.TotalPL));
    const returns = equity.map((e, k) => (e - (k === 0 ? sc.balance : equity[k - 1]!)) / sc.balance);
    let peak = sc.balance;
    let maxDd = 0;
    for (const e of equity) {
      peak = Math.max(peak, e);
      maxDd = Math.max(maxDd, peak > 0 ? (peak - e) / peak : 0);
    }
    return ok({
      settings: {
        strategyName: `signal-bridge simulator account ${sc.key.accountid}`,
        runmode: sc.key.runmode,
        accountid: sc.key.accountid,
        BaseCurrency: 'USD',
        initialCapital: sc.balance,
        StartDate: rows[0]?.Acdate ?? '',
      },
      performance: {
        TotalPnL: rows.length ? Number(rows.at(-1)!.TotalPL) : 0,
        TradeCnt: closes.length,
        WinCnt: wins.length,
        LossCnt: losses.length,
        WinRate: closes.length ? round4(wins.length / closes.length) : 0,
        AnnualSharpe: round4(annualised(returns, 'sharpe')),
        AnnualSortino: round4(annualised(returns, 'sortino')),
        maxDrawdown_pct: round4(maxDd),
        profit_factor: grossLoss > 0 ? round4(grossWin / grossLoss) : 0,
      },
    });
  };

  return [
    ['GET /strategy_trade', trade],
    ['GET /strategy_pl', pl],
    ['GET /strategy_stats', stats],
  ];
}

/**
 * mean / deviation x sqrt(252) over daily returns: the sample standard deviation (Sharpe) or the downside deviation,
 * the root of the mean squared loss (Sortino). 0 when undefined (fewer than two days, no deviation).
 */
function annualised(returns: number[], kind: 'sharpe' | 'sortino'): number {
  if (returns.length < 2) return 0;
  const mean = returns.reduce((a, r) => a + r, 0) / returns.length;
  const squares = kind === 'sharpe' ? returns.map((r) => (r - mean) ** 2) : returns.map((r) => Math.min(r, 0) ** 2);
  const deviation = Math.sqrt(squares.reduce((a, x) => a + x, 0) / (returns.length - 1));
  return deviation > 0 ? (mean / deviation) * Math.sqrt(252) : 0;
}
