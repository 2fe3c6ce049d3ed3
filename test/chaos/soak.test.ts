/**
 * The soak of issue 5: the real bridge (wired as src/cli/open-runtime.ts wires it, sqlite store, the random strategy
 * seeded) ticks 500 times in a row against a simulator where 20% of all requests meet a random fault of every kind
 * (500, 502 HTML, 429 with Retry-After, connection reset, timeout, truncated JSON), before or after the server acted,
 * seeded; orders take 30 ms to fill, so trades are often still pending, or filling, when the next tick closes them.
 * The cron adds nothing but waiting, so the test calls bridge.tick() in a loop, on a bridge clock that moves a minute
 * per tick. Then the faults stop, the ticks go on until no order is in doubt, and closeAll() takes everything off the
 * account. The simulator is the oracle: every trade it ever created is closed or cancelled (none lost), no orderRef
 * twice (none doubled), the store is empty, and no tick ever threw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TickResult } from '../../src/bridge/run-tick.js';
import { FAULT_KINDS, type Simulator, startSimulator } from '../../src/sim/index.js';
import { expectNothingLostOrDoubled, ledgerOf } from '../helpers/ledger.js';
import { openSimBridge, RANDOM_STRATEGY, removeTempDirs, simEnv, type SimBridge, tempDir } from '../helpers/sim-runtime.js';

const TICKS = 500;
const FAIL_RATE = 0.2;
/** CHAOS_SEED replays another sequence of faults and signals (the printed numbers name the seed). */
const SEED = Number(process.env.CHAOS_SEED ?? 5_005);
const BRIDGE_ID = 'soak';
/**
 * Orders stay pending this long before they fill (wall clock), so that the next tick often finds its trade still
 * pending, or filling while it looks: cancels and fills race the closes, under faults. CHAOS_FILL_DELAY_S overrides.
 */
const FILL_DELAY_S = Number(process.env.CHAOS_FILL_DELAY_S ?? 0.03);
/** A close is carried out this long after close_orders accepted it. */
const CLOSE_DELAY_S = 0.03;
/**
 * The 400-style replies the field has seen, and the lies issue 10 found: a token refused as "Invalid session!" or
 * "Unauthorized", a 429 after the order was placed, a list that forgets a live trade once. The rate limit's own
 * reply ("Exceed maximum access count", no Retry-After) pauses the user for 60 s of real time: its own tests cover it.
 */
const DOCUMENTED_FAULTS = ['invalid-session', 'unauthorized', '429-after', 'empty-list'] as const;
/** The schedule the loop stands for: a tick a minute, as in production, on the bridge's clock. */
const TICK_MS = 60_000;

let sim: Simulator;
let rt: SimBridge | undefined;
beforeAll(async () => {
  sim = await startSimulator({
    failRate: FAIL_RATE,
    failKinds: [...FAULT_KINDS, ...DOCUMENTED_FAULTS],
    faultPhase: 'both',
    seed: SEED,
    fillDelayS: FILL_DELAY_S,
    // The server as ALGOGENE documents it: an unfilled market order is in neither list, a close is carried out
    // after it is accepted, take-profit/stop-loss/holdtime close trades by themselves, a stale token is
    // answered 400 "Invalid session!".
    pendingMarketOrders: 'unlisted',
    closeDelayS: CLOSE_DELAY_S,
    serverCloses: true,
    badTokenReply: 'invalid-session',
  });
});
afterAll(async () => {
  await rt?.close();
  await sim.close();
  removeTempDirs();
});

describe('soak: 500 ticks under 20% random faults', () => {
  it(`${TICKS} ticks, every fault kind before and after acting: no trade lost, none doubled, the store empty at the end`, async () => {
    const account = `soak-${SEED}`;
    // The bridge's clock moves a minute per tick (what a minute schedule would make it wait), so a lost order gets
    // the looks a real schedule gives it: one at once, one at the next tick, settled by then.
    let clock = Date.now();
    rt = await openSimBridge(
      simEnv(sim, {
        ALGOGENE_ACCOUNT_ID: account,
        BRIDGE_ID,
        BRIDGE_STORE: `sqlite://${tempDir('soak')}/bridge.sqlite`,
        BRIDGE_STRATEGY: RANDOM_STRATEGY,
        BRIDGE_SEED: String(SEED),
        // Short, so that a request the simulator never answers costs little.
        BRIDGE_HTTP_TIMEOUT_MS: '300',
        // CHAOS_LOG_LEVEL=info keeps the lines a failed close is explained by (printed below).
        LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
      }),
      { now: () => clock },
    );
    const { bridge } = rt;
    const errors = new Map<string, number>();
    const thrown: unknown[] = [];
    let ok = 0;
    let failed = 0;
    const tick = async (): Promise<TickResult | undefined> => {
      try {
        clock += TICK_MS;
        return await bridge.tick(new Date(clock));
      } catch (error) {
        // A tick never throws: a failure is a result. Anything here is a bug.
        thrown.push(error);
        return undefined;
      }
    };

    for (let i = 0; i < TICKS; i += 1) {
      const result = await tick();
      if (result?.ok) ok += 1;
      else if (result) {
        failed += 1;
        const name = result.error?.name ?? 'Error';
        errors.set(name, (errors.get(name) ?? 0) + 1);
      }
    }
    const faults = new Map<string, number>();
    for (const entry of sim.requests().log) {
      if (entry.fault) faults.set(`${entry.fault.kind}/${entry.fault.phase}`, (faults.get(`${entry.fault.kind}/${entry.fault.phase}`) ?? 0) + 1);
    }
    const requests = sim.requests().total;

    // The faults stop; the bridge settles what is in doubt, then closes everything it tracks.
    sim.setFaults({ failRate: 0 });
    let settleTicks = 0;
    while ((await rt.load()).intents.length > 0 && settleTicks < 10) {
      await tick();
      settleTicks += 1;
    }
    expect((await rt.load()).intents, 'orders still in doubt after the faults stopped').toEqual([]);
    const report = await bridge.closeAll();
    // A failure is intermittent (it depends on wall-clock races): print what the simulator and the bridge saw of the trade.
    for (const f of report.filter((r) => r.outcome === 'failed')) {
      const trade = sim.books().find((b) => b.tradeId === f.tradeId);
      const about = (text: string) => text.includes(f.tradeId) || (trade !== undefined && text.includes(trade.orderRef));
      console.log(`close failed: ${JSON.stringify(f)}\nsimulator: ${JSON.stringify(trade)}`);
      for (const e of sim.requests().log) if (about(`${e.tradeIds} ${e.orderRef}`)) console.log(`request: ${JSON.stringify(e)}`);
      for (const l of rt.logs.lines()) if (about(JSON.stringify(l))) console.log(`log: ${JSON.stringify(l)}`);
    }
    expect(report.filter((r) => r.outcome === 'failed')).toEqual([]);

    const ledger = ledgerOf(
      sim.books().filter((t) => t.accountid === account),
      BRIDGE_ID,
    );
    const adopted = rt.logs.find('adopted the trade of an order whose reply was lost').length;
    const dropped = rt.logs.find('order never reached the server: intent dropped').length;
    const byKind = [...faults].sort().map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(
      `soak: ${TICKS} ticks (seed ${SEED}, fail rate ${FAIL_RATE}, fill delay ${FILL_DELAY_S * 1000} ms): ${ok} ok, ${failed} failed (${[...errors].map(([k, n]) => `${k} ${n}`).join(', ')}), ${thrown.length} threw; ` +
        `${requests} requests, ${[...faults.values()].reduce((a, b) => a + b, 0)} faults (${byKind}); ` +
        `${ledger.trades} trades opened, ${ledger.closed} closed, ${ledger.cancelled} cancelled, ${ledger.live.length} lost, ${ledger.doubled.length} doubled; ` +
        `${adopted} adopted after a lost reply, ${dropped} intents dropped (order never arrived); ${settleTicks} settling ticks; close: ${report.length} closed`,
    );

    expect(thrown).toEqual([]);
    // Every kind of fault happened, on both sides of the server acting (a 429 only ever before).
    for (const kind of FAULT_KINDS) {
      expect(faults.get(`${kind}/before`) ?? 0, `${kind} before acting`).toBeGreaterThan(0);
      if (kind !== '429') expect(faults.get(`${kind}/after`) ?? 0, `${kind} after acting`).toBeGreaterThan(0);
    }
    expect(ok).toBeGreaterThan(0);
    expect(ledger.trades).toBeGreaterThan(0);
    // Closes of filled trades happened (an unfilled market order is listed nowhere, so nothing is cancelled).
    expect(ledger.closed).toBeGreaterThan(0);
    for (const kind of DOCUMENTED_FAULTS) expect(faults.get(`${kind}/${kind === 'invalid-session' || kind === 'unauthorized' ? 'before' : 'after'}`) ?? 0, kind).toBeGreaterThan(0);
    expectNothingLostOrDoubled(ledger);
    expect(await rt.load()).toMatchObject({ trades: [], intents: [] });
  });
});
