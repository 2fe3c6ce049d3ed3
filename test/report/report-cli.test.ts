/** report against the simulator's strategy_* endpoints: the marketplace's figures beside the journal's, differences named. */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/journal/events.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { removeTempDirs, tempDir } from '../helpers/sim-runtime.js';
import { openJournal } from '../journal/backends.js';
import { offlineEnv, runMain } from '../journal/run-main.js';
import { acct, login, openOrder, post } from '../sim/helpers.js';

afterAll(removeTempDirs);

interface ReportJson {
  bridges: { id: string; tradesClosed: number; realisedPnl: number; winRate: number | null; maxDrawdown: number; differences: string[]; algogene: Record<string, unknown> | null }[];
  total: { tradesClosed: number; realisedPnl: number };
}

describe('report beside ALGOGENE (simulator)', () => {
  let sim: Simulator;
  let file: string;
  let env: Record<string, string | undefined>;
  beforeEach(async () => {
    sim = await startSimulator({ priceStepMs: 20 });
    file = path.join(tempDir('report'), 'bridge.sqlite');
    env = offlineEnv(`sqlite://${file}`, { ALGOGENE_BASE_URL: sim.url, ALGOGENE_API_KEY: 'demo-key', ALGOGENE_ACCOUNT_ID: 'acc-1', BRIDGE_ID: 'b1' });
  });
  afterEach(async () => {
    await sim.close();
  });

  /** Two trades of bridge b1 opened and closed on the simulator, and a third left open. */
  async function trade() {
    const token = await login(sim);
    const a = await openOrder(sim, token, { orderRef: 'sb.b1.1' });
    const b = await openOrder(sim, token, { orderRef: 'sb.b1.2', buysell: 'SELL', volume: 2 });
    await new Promise((r) => setTimeout(r, 100));
    await post(sim, '/close_orders', acct(token, { tradeIDs: `${a},${b}` }));
    await openOrder(sim, token, { orderRef: 'sb.b1.3' });
    await new Promise((r) => setTimeout(r, 50));
    return sim.books().filter((t) => t.state === 'closed');
  }

  async function journal(events: JournalEvent[]) {
    const j = await openJournal('sqlite', `sqlite://${file}`);
    for (const event of events) await j.journal.append('b1', event);
    await j.close();
  }

  it('a journal that holds what the books hold: same count and P&L, no difference; the chart shows the curve', async () => {
    const closed = await trade();
    await journal(closed.map((t) => ({ type: 'close', tradeId: t.tradeId, orderRef: t.orderRef, reason: 'signal', price: t.closePrice!, realisedPnl: t.realizedPL! })));
    const chart = path.join(path.dirname(file), 'equity.svg');
    const run = await runMain(['report', '--json', '--chart', chart], env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ReportJson;
    const total = Math.round(closed.reduce((s, t) => s + t.realizedPL!, 0) * 100) / 100;
    expect(report.bridges).toHaveLength(1);
    expect(report.bridges[0]).toMatchObject({ id: 'b1', tradesClosed: 2, realisedPnl: total, differences: [] });
    expect(report.bridges[0]!.algogene).toMatchObject({ account: 'acc-1', tradesClosed: 2, realisedPnl: total, totalPnl: total, tradeCount: 2, cumulativePl: total });
    expect(readFileSync(chart, 'utf8')).toContain(`realised P&amp;L ${total} over 2 closed trade(s)`);
  });

  it('a journal that misses a close: the difference is flagged, in JSON and in text', async () => {
    const closed = await trade();
    const [first] = closed;
    await journal([{ type: 'close', tradeId: first!.tradeId, orderRef: first!.orderRef, reason: 'signal', price: first!.closePrice!, realisedPnl: first!.realizedPL! }]);
    const report = JSON.parse((await runMain(['report', '--json'], env)).stdout) as ReportJson;
    expect(report.bridges[0]!.differences).toEqual(expect.arrayContaining(['trades closed: journal 1, ALGOGENE 2']));
    const text = await runMain(['report'], env);
    expect(text.stdout).toMatch(/DIFFERENCE: trades closed: journal 1, ALGOGENE 2/);
    expect(text.stdout).toMatch(/ALGOGENE \(account acc-1\): trades closed 2/);
  });

  it('an unreachable marketplace: the journal\'s figures, and why ALGOGENE\'s are missing', async () => {
    await journal([{ type: 'tick_failed', reason: 'x' }]);
    const run = await runMain(['report', '--json'], { ...env, ALGOGENE_BASE_URL: 'http://127.0.0.1:9/rest/v1' });
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.bridges[0]).toMatchObject({ id: 'b1', tradesClosed: 0, realisedPnl: 0, algogene: { account: 'acc-1', error: expect.stringMatching(/strategy_/) } });
  });
});
