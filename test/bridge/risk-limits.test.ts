/**
 * The limits a user sets for real money, against the simulator: BRIDGE_MAX_VOLUME (no order above it),
 * BRIDGE_MAX_ORDERS_PER_HOUR (a circuit breaker: stops opening, logs an error, keeps closing), BRIDGE_HALT_FILE (no
 * open while it exists; BRIDGE_HALT_FLATTEN=yes closes the tracked trades; removing it resumes), and that real
 * mode logs the limits at start. Each case checks the simulator's own count of orders, not just the tick result.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.js';
import { loadConfig } from '../../src/config.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { StrategyError } from '../../src/strategy/strategy-error.js';
import type { StrategyAnswer } from '../../src/strategy/types.js';
import { bridgeEnv, jsonLines, killStrays, makeWorkspace, removeWorkspaces, runCli, tickLines } from '../e2e/helpers.js';
import { LEVEL } from '../helpers/capture-log.js';
import { expectAgreement } from '../helpers/ledger.js';
import { fixedStrategy } from '../helpers/make-bridge.js';
import { openSimBridge, removeTempDirs, simEnv, type SimBridge, tempDir } from '../helpers/sim-runtime.js';

const HOUR_MS = 3_600_000;

let sim: Simulator;
let b: SimBridge | undefined;
let account = '';
beforeAll(async () => {
  // livetrade: real mode's runmode (ALGOGENE documents no other real-money one).
  sim = await startSimulator({ fillDelayS: 0, seed: 51, runmodes: ['livetest', 'livetrade'] });
});
afterEach(async () => {
  await b?.close();
  b = undefined;
  killStrays();
});
afterAll(async () => {
  await sim.close();
  removeTempDirs();
  removeWorkspaces();
});

let n = 0;
async function bridgeWith(env: Record<string, string>, answers: StrategyAnswer[], now?: () => number): Promise<SimBridge> {
  account = `risk-${process.pid}-${(n += 1)}`;
  b = await openSimBridge(simEnv(sim, { ALGOGENE_ACCOUNT_ID: account, ...env }), { strategy: fixedStrategy(...answers), now });
  return b;
}
const book = () => sim.books().filter((t) => t.accountid === account);
const orders = () => sim.requests().byPath['/open_order'] ?? 0;
const agree = async () => expectAgreement(book(), await b!.load());

describe('BRIDGE_MAX_VOLUME', () => {
  it('a signal volume above it fails the tick and sends no order; at the limit it goes through', async () => {
    await bridgeWith({ BRIDGE_MAX_VOLUME: '2' }, [{ signal: 'BUY', volume: 2.5 }, { signal: 'BUY', volume: 2 }]);
    const before = orders();

    const r = await b!.bridge.tick(new Date());

    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(StrategyError);
    expect(r.error?.message).toMatch(/volume 2\.5 is above BRIDGE_MAX_VOLUME 2/);
    expect(orders()).toBe(before);
    expect(book()).toEqual([]);

    const ok = await b!.bridge.tick(new Date());
    expect(ok.ok, ok.error?.message).toBe(true);
    expect(book().map((t) => t.volume)).toEqual([2]);
    expect(await agree()).toEqual([ok.opened]);
  });

  it('BRIDGE_VOLUME above it is a configuration error', () => {
    expect(() => loadConfig(simEnv(sim, { BRIDGE_VOLUME: '3', BRIDGE_MAX_VOLUME: '2' }))).toThrow(ConfigError);
  });

  it('BRIDGE_VOLUME above it: the CLI exits 2 before any network call', async () => {
    const ws = makeWorkspace('maxvol');
    const env = bridgeEnv(sim, ws, { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_VOLUME: '3', BRIDGE_MAX_VOLUME: '2' });
    const before = sim.requests().total;
    const r = await runCli(['once'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/BRIDGE_VOLUME: 3 is above BRIDGE_MAX_VOLUME 2/);
    expect(sim.requests().total).toBe(before);
  });
});

describe('BRIDGE_MAX_ORDERS_PER_HOUR', () => {
  it('after N opens in the hour no more opens, the closes go on, the tick reports the circuit breaker; an hour later it opens again', async () => {
    let now = Date.now();
    await bridgeWith({ BRIDGE_MAX_ORDERS_PER_HOUR: '2' }, ['BUY'], () => now);
    const tick = () => b!.bridge.tick(new Date(now));
    const before = orders();

    const first = await tick();
    now += 60_000;
    const second = await tick();
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(orders() - before).toBe(2);

    now += 60_000;
    const third = await tick();

    expect(third.ok).toBe(false);
    expect(third.error?.message).toMatch(/circuit breaker: 2 orders in the last hour reached BRIDGE_MAX_ORDERS_PER_HOUR 2/);
    // Closing goes on: the policy (reopen) closed the tracked trade; only the open was withheld.
    expect(third.closed).toEqual([{ tradeId: second.opened, outcome: 'closing' }]);
    expect(third.opened).toBeUndefined();
    expect(orders() - before).toBe(2);
    expect(b!.logs.find('tick failed').at(-1)).toMatchObject({ level: LEVEL.error, error: expect.stringMatching(/circuit breaker/) });
    expect(await agree()).toEqual([]);

    now += 60_000;
    expect((await tick()).ok).toBe(false);
    expect(orders() - before).toBe(2);

    // The hour has passed for the first order: one more may go.
    now = now - 3 * 60_000 + HOUR_MS + 1;
    const later = await tick();
    expect(later.ok, later.error?.message).toBe(true);
    expect(orders() - before).toBe(3);
    expect(await agree()).toEqual([later.opened]);
  });

  it('a lost reply counts as an order too: the breaker counts what was sent, not what was acknowledged', async () => {
    let now = Date.now();
    await bridgeWith({ BRIDGE_MAX_ORDERS_PER_HOUR: '1' }, ['BUY'], () => now);
    sim.injectFault({ path: '/open_order', kind: 'reset', phase: 'after' });
    const first = await b!.bridge.tick(new Date(now));
    expect(first.ok, first.error?.message).toBe(true);
    now += 60_000;
    const second = await b!.bridge.tick(new Date(now));
    expect(second.error?.message).toMatch(/circuit breaker/);
    expect(book()).toHaveLength(1);
    expect(await agree()).toEqual([]);
  });
});

describe('BRIDGE_HALT_FILE', () => {
  it('no open while it exists; removing the file resumes', async () => {
    const halt = path.join(tempDir('halt'), 'HALT');
    await bridgeWith({ BRIDGE_HALT_FILE: halt }, ['BUY']);
    writeFileSync(halt, '');
    const before = orders();

    const halted = await b!.bridge.tick(new Date());

    expect(halted.ok).toBe(false);
    expect(halted.error?.message).toMatch(/halted by .*HALT: no order opened/);
    expect(orders()).toBe(before);

    rmSync(halt);
    const resumed = await b!.bridge.tick(new Date());
    expect(resumed.ok, resumed.error?.message).toBe(true);
    expect(orders() - before).toBe(1);
    expect(await agree()).toEqual([resumed.opened]);
  });

  it('without BRIDGE_HALT_FLATTEN a tracked trade the signal keeps stays open (policy hold)', async () => {
    const halt = path.join(tempDir('halt'), 'HALT');
    await bridgeWith({ BRIDGE_HALT_FILE: halt, BRIDGE_POLICY: 'hold' }, ['BUY']);
    const opened = (await b!.bridge.tick(new Date())).opened!;
    writeFileSync(halt, '');

    const r = await b!.bridge.tick(new Date());

    expect(r.closed).toEqual([]);
    expect(await agree()).toEqual([opened]);
  });

  it('with BRIDGE_HALT_FLATTEN=yes the tracked trade is closed and nothing opened; removing the file resumes', async () => {
    const halt = path.join(tempDir('halt'), 'HALT');
    await bridgeWith({ BRIDGE_HALT_FILE: halt, BRIDGE_HALT_FLATTEN: 'yes', BRIDGE_POLICY: 'hold' }, ['BUY']);
    const opened = (await b!.bridge.tick(new Date())).opened!;
    writeFileSync(halt, '');
    const before = orders();

    const r = await b!.bridge.tick(new Date());

    expect(r.closed).toEqual([{ tradeId: opened, outcome: 'closing' }]);
    expect(r.opened).toBeUndefined();
    expect(orders()).toBe(before);
    expect(book().map((t) => t.state)).toEqual(['closed']);
    expect(await agree()).toEqual([]);
    // Still halted: the next tick opens nothing either.
    expect((await b!.bridge.tick(new Date())).opened).toBeUndefined();
    expect(orders()).toBe(before);

    rmSync(halt);
    const resumed = await b!.bridge.tick(new Date());
    expect(resumed.ok, resumed.error?.message).toBe(true);
    expect(await agree()).toEqual([resumed.opened]);
  });
});

describe('real mode', () => {
  it('once --confirm-real logs the limits at start, then trades on the real runmode', async () => {
    const ws = makeWorkspace('real');
    const halt = path.join(ws.dir, 'HALT');
    const env = bridgeEnv(sim, ws, {
      BRIDGE_MODE: 'real',
      BRIDGE_TEST_SIGNAL: 'BUY',
      BRIDGE_MAX_VOLUME: '5',
      BRIDGE_MAX_ORDERS_PER_HOUR: '10',
      BRIDGE_HALT_FILE: halt,
    });
    const r = await runCli(['once', '--confirm-real'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const real = jsonLines(r.stdout).find((l) => l.msg === 'REAL MODE: orders are real and investors copy them');
    expect(real).toMatchObject({ runmode: 'livetrade', account: ws.account, maxVolume: 5, maxOrdersPerHour: 10, haltFile: halt });
    // Logged before anything was traded.
    const lines = jsonLines(r.stdout);
    expect(lines.indexOf(real!)).toBeLessThan(lines.findIndex((l) => l.msg === 'tick'));
    const [tick] = tickLines(r.stdout);
    const trades = sim.books().filter((t) => t.accountid === ws.account);
    expect(trades.map((t) => [t.tradeId, t.runmode])).toEqual([[tick!.opened, 'livetrade']]);
  });

  it('real mode without the limits says so: the maximum volume is BRIDGE_VOLUME, the others null', async () => {
    const ws = makeWorkspace('real-nolimits');
    const env = bridgeEnv(sim, ws, { BRIDGE_MODE: 'real', BRIDGE_TEST_SIGNAL: 'NONE' });
    const r = await runCli(['once', '--confirm-real'], { env, cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonLines(r.stdout).find((l) => l.msg === 'REAL MODE: orders are real and investors copy them')).toMatchObject({ maxVolume: 1, maxOrdersPerHour: null, haltFile: null });
  });
});
