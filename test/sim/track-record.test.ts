/** strategy_trade, strategy_pl and strategy_stats: the account's record, which must agree with the books to the cent. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, DEMO, get, login, openOrder, post, UTC_US, useSim } from './helpers.js';

const TX_KEYS = [
  'Acdate', 'broker', 'buysell', 'channel', 'instrument', 'market', 'openclose', 'order_ref', 'price', 'product_type',
  'realizedPL', 'reason', 'symbol', 'timestamp', 'trade_ID', 'volume',
];
const track = (sim: Parameters<typeof get>[0], path: string, extra: Record<string, unknown> = {}) =>
  get(sim, path, { ...DEMO, runmode: 'livetest', runtime_id: 'acc-1', ...extra });
const today = () => new Date().toISOString().slice(0, 10);
const cents = (x: number) => Math.round(x * 100) / 100;

describe('the track record', () => {
  const s = useSim({ beforeEach, afterEach }, { priceStepMs: 50 });

  /** Three trades: two closed (BTCUSD, ETHUSD), one still open. */
  async function history() {
    const token = await login(s.sim);
    const a = await openOrder(s.sim, token, { orderRef: 'sb.t.1' });
    const b = await openOrder(s.sim, token, { orderRef: 'sb.t.2', instrument: 'ETHUSD', buysell: 'SELL', volume: 3 });
    await new Promise((r) => setTimeout(r, 120));
    await post(s.sim, '/close_orders', acct(token, { tradeIDs: `${a},${b}` }));
    const c = await openOrder(s.sim, token, { orderRef: 'sb.t.3' });
    return { token, a, b, c };
  }

  it('strategy_trade: every open and close, ascending, no token needed, each agreeing with the books', async () => {
    const { a, b, c } = await history();
    const r = await track(s.sim, '/strategy_trade');
    expect(r.status).toBe(200);
    const txs = r.body.res;
    expect(r.body.count).toBe(5);
    expect(txs.map((t: { trade_ID: string; openclose: string }) => [t.trade_ID, t.openclose])).toEqual([
      [a, 'open'], [b, 'open'], [a, 'close'], [b, 'close'], [c, 'open'],
    ]);
    for (const t of txs) {
      expect(Object.keys(t).sort()).toEqual(TX_KEYS);
      expect(t.timestamp).toMatch(UTC_US);
      expect(t.Acdate).toBe(t.timestamp.slice(0, 10));
    }
    const stamps = txs.map((t: { timestamp: string }) => t.timestamp);
    expect([...stamps].sort()).toEqual(stamps);
    for (const snap of s.sim.books()) {
      const open = txs.find((t: { trade_ID: string; openclose: string }) => t.trade_ID === snap.tradeId && t.openclose === 'open');
      expect(open).toMatchObject({ price: snap.entryPrice, volume: snap.volume, order_ref: snap.orderRef, buysell: snap.buysell === 'BUY' ? 1 : -1, realizedPL: 0, reason: '' });
      const close = txs.find((t: { trade_ID: string; openclose: string }) => t.trade_ID === snap.tradeId && t.openclose === 'close');
      if (snap.state === 'closed') {
        expect(close).toMatchObject({ price: snap.closePrice, realizedPL: snap.realizedPL, reason: 'api', buysell: snap.buysell === 'BUY' ? -1 : 1 });
        const sign = snap.buysell === 'BUY' ? 1 : -1;
        expect(snap.realizedPL).toBe(cents((snap.closePrice! - snap.entryPrice!) * snap.volume * sign));
      } else expect(close).toBeUndefined();
    }
  });

  it('strategy_trade filters by orderRef and by acdate', async () => {
    const { a } = await history();
    const byRef = await track(s.sim, '/strategy_trade', { orderRef: 'sb.t.1' });
    expect(byRef.body.res.map((t: { trade_ID: string; openclose: string }) => [t.trade_ID, t.openclose])).toEqual([[a, 'open'], [a, 'close']]);
    expect((await track(s.sim, '/strategy_trade', { acdate: today() })).body.count).toBe(5);
    expect((await track(s.sim, '/strategy_trade', { acdate: '2020-01-01' })).body).toEqual({ count: 0, res: [] });
    expect((await track(s.sim, '/strategy_trade', { acdate: '01/01/2020' })).body).toEqual({ status: 'FAIL', res: 'invalid acdate: expected YYYY-MM-DD' });
  });

  it('strategy_pl: today\'s cumulative realised P/L, in total and per instrument, equal to the sum of the closes', async () => {
    await history();
    const closed = s.sim.books().filter((t) => t.state === 'closed');
    const r = await track(s.sim, '/strategy_pl');
    expect(r.body.count).toBe(1);
    const row = r.body.res[0];
    expect(Object.keys(row).sort()).toEqual(['Acdate', 'BTCUSD', 'ETHUSD', 'TotalPL']);
    expect(row.Acdate).toBe(today());
    expect(row.BTCUSD).toBe(closed.find((t) => t.instrument === 'BTCUSD')!.realizedPL);
    expect(row.ETHUSD).toBe(closed.find((t) => t.instrument === 'ETHUSD')!.realizedPL);
    expect(row.TotalPL).toBe(cents(closed.reduce((sum, t) => sum + t.realizedPL!, 0)));
    const txs = (await track(s.sim, '/strategy_trade')).body.res;
    expect(row.TotalPL).toBe(cents(txs.reduce((sum: number, t: { realizedPL: number }) => sum + t.realizedPL, 0)));
    expect((await track(s.sim, '/strategy_pl', { acdate: '2020-01-01' })).body.count).toBe(0);
  });

  it('strategy_stats: settings and performance agree with strategy_pl and strategy_trade', async () => {
    await history();
    const pl = (await track(s.sim, '/strategy_pl')).body.res.at(-1);
    const closes = (await track(s.sim, '/strategy_trade')).body.res.filter((t: { openclose: string }) => t.openclose === 'close');
    const r = await track(s.sim, '/strategy_stats');
    expect(r.body.settings).toMatchObject({ accountid: 'acc-1', runmode: 'livetest', BaseCurrency: 'USD', initialCapital: 100_000, StartDate: today() });
    const p = r.body.performance;
    expect(p.TotalPnL).toBe(pl.TotalPL);
    expect(p.TradeCnt).toBe(closes.length);
    expect(p.WinCnt + p.LossCnt).toBeLessThanOrEqual(p.TradeCnt);
    expect(p.WinRate).toBe(Math.round((p.WinCnt / p.TradeCnt) * 10_000) / 10_000);
    // One day of history: no Sharpe to speak of.
    expect(p.AnnualSharpe).toBe(0);
    for (const k of ['AnnualSortino', 'maxDrawdown_pct', 'profit_factor']) expect(typeof p[k]).toBe('number');
  });

  it('an account with no fills has an empty record', async () => {
    expect((await track(s.sim, '/strategy_trade', { runtime_id: 'fresh' })).body).toEqual({ count: 0, res: [] });
    expect((await track(s.sim, '/strategy_pl', { runtime_id: 'fresh' })).body).toEqual({ count: 0, res: [] });
    expect((await track(s.sim, '/strategy_stats', { runtime_id: 'fresh' })).body.performance).toMatchObject({ TotalPnL: 0, TradeCnt: 0 });
  });

  it('refuses a bad key, a missing runtime_id, an unknown runmode; backtest runtimes do not exist here', async () => {
    expect((await track(s.sim, '/strategy_trade', { api_key: 'x' })).status).toBe(401);
    expect((await track(s.sim, '/strategy_trade', { runtime_id: undefined })).body.res).toBe('missing runtime_id');
    expect((await track(s.sim, '/strategy_pl', { runmode: 'realtrade' })).body.res).toBe('invalid runmode');
    expect((await track(s.sim, '/strategy_stats', { runmode: 'backtest' })).body.res).toMatch(/^backtest runtime not found: acc-1/);
  });
});

describe('the track record of a configured account list', () => {
  const s = useSim({ beforeEach, afterEach }, { accounts: [{ id: 'acc-1', runmode: 'livetest', balance: 20_000 }] });

  it('knows only the listed accounts, and starts from their balance', async () => {
    expect((await track(s.sim, '/strategy_trade', { runtime_id: 'acc-2' })).body.res).toBe('account not found: acc-2 (runmode livetest)');
    expect((await track(s.sim, '/strategy_stats')).body.settings.initialCapital).toBe(20_000);
  });
});
