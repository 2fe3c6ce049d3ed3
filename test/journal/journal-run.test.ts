/**
 * A run of ticks against the simulator that opens, closes, fails and adopts, on each store: the journal holds every
 * event in order, with the prices and P&L of the simulator's books; it verifies; the report agrees with the books.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchTrackRecord } from '../../src/algogene/track-record.js';
import { createEventSink, type EventSink } from '../../src/journal/bridge-events.js';
import { createJournal, type Journal } from '../../src/journal/create-journal.js';
import type { JournalEntry } from '../../src/journal/events.js';
import { buildReport } from '../../src/report/build-report.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import type { Strategy } from '../../src/strategy/types.js';
import { createHttp } from '../../src/algogene/create-http.js';
import { FIXED_SIGNAL, openSimBridge, removeTempDirs, simEnv, type SimBridge } from '../helpers/sim-runtime.js';
import { KINDS, storeUrl } from './backends.js';
import { runMain } from './run-main.js';

afterAll(removeTempDirs);

/** Answers the next of `answers` each tick: a side, nothing, or a throw. */
function scripted(answers: ('BUY' | 'SELL' | null | 'THROW')[]): Strategy {
  return {
    name: 'scripted',
    decide() {
      const next = answers.shift() ?? null;
      if (next === 'THROW') throw new Error('strategy exploded');
      return next;
    },
  };
}

describe.each(KINDS)('the journal of a simulated run on %s', (kind) => {
  let sim: Simulator;
  let t: SimBridge;
  let sink: EventSink;
  let journal: Journal;
  let env: Record<string, string | undefined>;
  const bridgeId = `run-${kind}-${Math.random().toString(36).slice(2, 8)}`;

  beforeEach(async () => {
    sim = await startSimulator({ priceStepMs: 10 });
    env = simEnv(sim, { BRIDGE_ID: bridgeId, BRIDGE_STORE: storeUrl(kind), BRIDGE_STRATEGY: FIXED_SIGNAL, BRIDGE_INSTRUMENT: 'BTCUSD', BRIDGE_POLICY: 'reopen' });
    t = await openSimBridge(env, {
      settleMs: 2_000,
      strategy: scripted(['BUY', 'SELL', 'THROW', 'BUY', null, null]),
      events: async (store, client) => {
        journal = await createJournal(store);
        sink = createEventSink({ journal, log: t?.logs.log ?? (await import('../helpers/capture-log.js')).captureLog().log });
        return sink.forBridge(bridgeId, { trades: (orderRef) => client.strategyTrades({ orderRef }), confirmDelaysMs: [50, 100, 200, 400, 800] });
      },
    });
  });
  afterEach(async () => {
    if (kind === 'redis') {
      const redis = await (t.store.backend as { client: () => Promise<{ del(k: string): Promise<unknown>; sRem(k: string, m: string): Promise<unknown> }> }).client();
      await redis.del(`signal-bridge:journal:${bridgeId}`);
      await redis.sRem('signal-bridge:journal:bridges', bridgeId);
    }
    await t.close();
    await sim.close();
  });

  it('holds every event in order with the books\' prices and P&L; verify passes; the report agrees with the books', async () => {
    await t.bridge.startup();
    const results = [];
    for (let n = 0; n < 6; n += 1) {
      // The fourth tick's order reaches the server but its reply is lost: the bridge adopts it by orderRef.
      if (n === 3) sim.injectFault({ path: '/open_order', kind: 'timeout', phase: 'after' });
      results.push(await t.bridge.tick(new Date()));
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true, true]);
    await sink.flush();

    const books = sim.books().filter((b) => b.orderRef.startsWith(`sb.${bridgeId}.`));
    expect(books).toHaveLength(3);
    expect(books.every((b) => b.state === 'closed')).toBe(true);
    const entries = await journal.entries({ bridge: bridgeId });
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect((await journal.verify(bridgeId))[0]).toMatchObject({ ok: true });

    const of = <T extends JournalEntry['type']>(type: T) => entries.filter((e): e is Extract<JournalEntry, { type: T }> => e.type === type);
    expect(of('signal').map((e) => e.side)).toEqual(['BUY', 'SELL', 'BUY']);
    expect(of('signal').every((e) => e.source === 'scripted')).toBe(true);
    expect(of('tick_failed').map((e) => e.reason)).toEqual([expect.stringContaining('strategy exploded')]);
    const [a, b, c] = books;
    expect(of('open').map((e) => e.tradeId)).toEqual([a!.tradeId, b!.tradeId]);
    expect(of('adopted').map((e) => e.tradeId)).toEqual([c!.tradeId]);
    expect(of('order_sent').map((e) => e.orderRef)).toEqual([a!.orderRef, b!.orderRef, c!.orderRef]);
    for (const trade of books) {
      const close = of('close').find((e) => e.tradeId === trade.tradeId);
      expect(close, `close of ${trade.tradeId}`).toMatchObject({ reason: 'signal', price: trade.closePrice, openPrice: trade.entryPrice, realisedPnl: trade.realizedPL });
      // Each trade's story in order: opened (or adopted), close requested, closed.
      const seqOf = (type: string) => entries.find((e) => e.type === type && 'tradeId' in e && e.tradeId === trade.tradeId)?.seq ?? -1;
      expect(Math.max(seqOf('open'), seqOf('adopted'))).toBeLessThan(seqOf('close_requested'));
      expect(seqOf('close_requested')).toBeLessThan(close!.seq);
    }

    const expectedPnl = Math.round(books.reduce((s, x) => s + x.realizedPL!, 0) * 100) / 100;
    if (kind === 'memory') {
      const http = createHttp({ baseUrl: sim.url, timeoutMs: 2_000, maxSockets: 2 });
      try {
        const record = await fetchTrackRecord(http, t.logs.log, { user: 'demo', apiKey: 'demo-key', accountId: t.config.bridges[0]!.accountId, runmode: 'livetest' });
        const report = buildReport({ entries, bridges: [{ id: bridgeId, account: t.config.bridges[0]!.accountId }], records: new Map([[t.config.bridges[0]!.accountId, record]]) });
        expect(report.bridges[0]).toMatchObject({ tradesClosed: 3, realisedPnl: expectedPnl, differences: [] });
      } finally {
        http.close();
      }
    } else {
      const run = await runMain(['report', '--json', '--bridge', bridgeId], { ...env, LOG_LEVEL: 'warn' });
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as { bridges: { id: string; tradesClosed: number; realisedPnl: number; differences: string[]; algogene: { tradesClosed: number; realisedPnl: number } }[] };
      expect(report.bridges).toEqual([expect.objectContaining({ id: bridgeId, tradesClosed: 3, realisedPnl: expectedPnl, differences: [] })]);
      expect(report.bridges[0]!.algogene).toMatchObject({ tradesClosed: 3, realisedPnl: expectedPnl });
      const verify = await runMain(['journal', 'verify', '--bridge', bridgeId], { ...env, LOG_LEVEL: 'warn' });
      expect(verify.stdout).toMatch(new RegExp(`bridge ${bridgeId}: \\d+ entries, chain intact`));
    }
  });
});
