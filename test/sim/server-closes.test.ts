/** Take-profit, stop-loss and holdtime close a trade by themselves; strategy_trade shows the close and its reason. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acct, DEMO, get, login, openOrder, poll, useSim } from './helpers.js';

// A flat market (no volatility): the price moves only when a test moves it.
const FLAT = { symbol: 'TESTUSD', price: 100, spread: 0.02, decimals: 2, market: 'FX', volatility: 0 };

const closes = async (sim: Parameters<typeof get>[0]) =>
  (await get(sim, '/strategy_trade', { ...DEMO, runmode: 'livetest', runtime_id: 'acc-1' })).body.res.filter((t: { openclose: string }) => t.openclose === 'close');

describe('take-profit and stop-loss', () => {
  const s = useSim({ beforeEach, afterEach }, { instruments: [FLAT], priceStepMs: 3_600_000, serverCloses: true });

  it('a BUY closes at the bid once the bid reaches its take-profit', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { instrument: 'TESTUSD', takeProfitLevel: 105, stopLossLevel: 95 });
    s.sim.setPrice('TESTUSD', 104.5);
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(1);
    s.sim.setPrice('TESTUSD', 106);
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(0);
    expect(s.sim.books()[0]).toMatchObject({ tradeId: id, state: 'closed', closeReason: 'takeProfit', closePrice: 105.99, closeRequests: 0 });
    const [close] = await closes(s.sim);
    expect(close).toMatchObject({ trade_ID: id, openclose: 'close', buysell: -1, price: 105.99, reason: 'takeProfit' });
    expect(close.realizedPL).toBe(Math.round((105.99 - 100.01) * 100) / 100);
    expect((await get(s.sim, '/query_order', acct(token, { tradeID: id }))).body.openclose).toBe('close');
  });

  it('a SELL closes at the ask once the ask reaches its stop-loss', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { instrument: 'TESTUSD', buysell: 'SELL', stopLossLevel: 102 });
    s.sim.setPrice('TESTUSD', 103);
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(0);
    const [close] = await closes(s.sim);
    expect(close).toMatchObject({ trade_ID: id, buysell: 1, price: 103.01, reason: 'stopLoss', realizedPL: Math.round((99.99 - 103.01) * 100) / 100 });
  });

  it('levels of 0 mean none: nothing closes however far the price goes', async () => {
    const token = await login(s.sim);
    await openOrder(s.sim, token, { instrument: 'TESTUSD' });
    s.sim.setPrice('TESTUSD', 1);
    s.sim.setPrice('TESTUSD', 1000);
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(1);
  });
});

describe('checked along the path, not only where the price is when someone looks', () => {
  const s = useSim({ beforeEach, afterEach }, { instruments: [FLAT], priceStepMs: 100, serverCloses: true });

  it('a take-profit touched between two reads closes the trade at that step\'s price', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { instrument: 'TESTUSD', takeProfitLevel: 110 });
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(1);
    s.sim.setPrice('TESTUSD', 120);
    const touchedAt = Date.now();
    await new Promise((r) => setTimeout(r, 350));
    s.sim.setPrice('TESTUSD', 100);
    // Nobody looked while the price was up; the path remembers.
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(0);
    const t = s.sim.books()[0]!;
    expect(t).toMatchObject({ tradeId: id, closeReason: 'takeProfit', closePrice: 119.99 });
    expect(t.closedAt!).toBeLessThanOrEqual(touchedAt + 1);
  });
});

describe('holdtime', () => {
  const s = useSim({ beforeEach, afterEach }, { instruments: [FLAT], priceStepMs: 3_600_000, serverCloses: true });

  it('closes the trade holdtime seconds after its fill', async () => {
    const token = await login(s.sim);
    const id = await openOrder(s.sim, token, { instrument: 'TESTUSD', holdtime: 0.3 });
    expect((await get(s.sim, '/opened_trades', acct(token))).body.count).toBe(1);
    await poll(async () => ((await get(s.sim, '/opened_trades', acct(token))).body.count === 0 ? true : undefined));
    const t = s.sim.books()[0]!;
    expect(t).toMatchObject({ tradeId: id, closeReason: 'holdtime', closePrice: 99.99 });
    expect(t.closedAt! - t.openedAt!).toBeGreaterThanOrEqual(299);
    expect(t.closedAt! - t.openedAt!).toBeLessThanOrEqual(301);
    expect((await closes(s.sim))[0]).toMatchObject({ trade_ID: id, reason: 'holdtime' });
  });
});

describe('serverCloses off (the default)', () => {
  const s = useSim({ beforeEach, afterEach }, { instruments: [FLAT], priceStepMs: 3_600_000 });

  it('levels and holdtime are stored and echoed, not enforced', async () => {
    const token = await login(s.sim);
    await openOrder(s.sim, token, { instrument: 'TESTUSD', takeProfitLevel: 105, holdtime: 0.1 });
    s.sim.setPrice('TESTUSD', 110);
    await new Promise((r) => setTimeout(r, 200));
    const open = await get(s.sim, '/opened_trades', acct(token));
    expect(open.body.res).toMatchObject([{ takeProfitLevel: 105, holdtime: 0.1 }]);
  });
});
