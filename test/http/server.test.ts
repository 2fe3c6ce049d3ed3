/** run's HTTP server over a real socket, against the simulator: health, readiness, the bridges' JSON, the actions. */
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FleetView } from '../../src/fleet/read-fleet.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import type { Strategy, StrategyAnswer } from '../../src/strategy/types.js';
import { liveOf } from '../e2e/helpers.js';
import { bearer, openServed, type Served } from './helpers.js';

let sim: Simulator;
const opened: Served[] = [];
const open = async (...args: Parameters<typeof openServed>) => {
  const s = await openServed(...args);
  opened.push(s);
  return s;
};

beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: 31 });
});
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
afterAll(async () => {
  await sim.close();
});

/** A TCP proxy to the real Redis; cut() closes it and every connection through it. */
async function redisProxy(): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    const upstream = connect(6379, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    cut: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}

/** A strategy whose next answer the test gives when it likes. */
function steeredStrategy() {
  let answer: StrategyAnswer = null;
  let gate: Promise<void> | undefined;
  let asked: () => void = () => {};
  const strategy: Strategy = {
    name: 'steered',
    async decide() {
      asked();
      if (gate) await gate;
      return answer;
    },
  };
  return {
    strategy,
    say(next: StrategyAnswer) {
      answer = next;
    },
    /** The next decide() waits until release() is called; resolves once it has been asked. */
    hold(): { asked: Promise<void>; release: () => void } {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      const wasAsked = new Promise<void>((r) => (asked = r));
      return {
        asked: wasAsked,
        release: () => {
          gate = undefined;
          release();
        },
      };
    },
  };
}

describe('health and readiness', () => {
  it('GET /healthz is 200; an unknown path is 404', async () => {
    const s = await open(sim);
    expect(await s.get('/healthz')).toMatchObject({ status: 200, body: { ok: true } });
    expect((await s.get('/nothing-here')).status).toBe(404);
  });

  it('GET /readyz is 200 while the lease is held and ticks succeed; 503 naming the bridge once the lease is gone', async () => {
    const s = await open(sim);
    expect((await s.tick()).ok).toBe(true);
    expect(await s.get('/readyz')).toMatchObject({ status: 200, body: { ready: true, bridges: 1 } });
    await s.runtime.leases.get('b1')!.release();
    const r = await s.get('/readyz');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ ready: false, problems: [{ bridge: 'b1', reason: expect.stringMatching(/^lease not held by this process/) }] });
  });

  it('GET /readyz is 503 after 3 failed ticks in a row, naming the bridge and the latest error; a good tick makes it ready again', async () => {
    const steered = steeredStrategy();
    const s = await open(sim, { strategy: steered.strategy });
    steered.say('MAYBE');
    await s.tick();
    await s.tick();
    expect((await s.get('/readyz')).status).toBe(200);
    await s.tick();
    const r = await s.get('/readyz');
    expect(r.status).toBe(503);
    expect(r.body.problems).toEqual([{ bridge: 'b1', reason: expect.stringMatching(/^the last 3 ticks failed; the latest: .*MAYBE/) }]);
    steered.say(null);
    expect((await s.tick()).ok).toBe(true);
    expect((await s.get('/readyz')).status).toBe(200);
  });

  it('GET /readyz is 503 when the store does not answer (Redis behind a proxy that goes away)', async () => {
    const proxy = await redisProxy();
    try {
      const s = await open(sim, { env: { BRIDGE_STORE: `redis://127.0.0.1:${proxy.port}`, BRIDGE_ID: `http-ready-${process.pid}-${Date.now()}` } });
      expect((await s.get('/readyz')).status).toBe(200);
      await proxy.cut();
      const r = await s.get('/readyz');
      expect(r.status).toBe(503);
      expect(r.body.problems).toContainEqual({ reason: expect.stringMatching(new RegExp(`^store: redis://127\\.0\\.0\\.1:${proxy.port}: `)) });
    } finally {
      await proxy.cut();
    }
  });
});

describe('the bridges as JSON', () => {
  it('GET /api/bridges and /api/bridges/:id: settings, last tick, the trade with the server price and P&L, lease, ticks, equity, journal', async () => {
    const s = await open(sim);
    const tick = await s.tick();
    expect(tick.opened).toMatch(/^\d+$/);
    const one = await s.get('/api/bridges/b1');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: 'b1',
      mode: 'livetest',
      instrument: 'BTCUSD',
      policy: 'hold',
      schedule: '* * * * *',
      halted: false,
      lease: { held: true, holder: { pid: process.pid } },
      lastTick: { outcome: 'ok', signal: 'BUY', opened: { tradeId: tick.opened, side: 'BUY' }, latencyMs: expect.any(Number) },
      failingStreak: 0,
    });
    const trade = one.body.trades.trades[0];
    const onSim = liveOf(sim, s.account)[0]!;
    expect(trade).toMatchObject({ tradeId: tick.opened, side: 'BUY', onServer: 'open', price: onSim.entryPrice });
    expect(typeof trade.unrealizedPL).toBe('number');
    expect(one.body.ticks).toHaveLength(1);
    expect(one.body.equity.at(-1)).toMatchObject({ realized: 0, unrealized: trade.unrealizedPL });
    // The journal (src/journal) records every tick: its last entries come with the bridge.
    expect(Array.isArray(one.body.journal)).toBe(true);
    expect(one.body.journal.length).toBeGreaterThan(0);

    const list = await s.get('/api/bridges');
    expect(list.status).toBe(200);
    expect(list.body.bridges.map((b: { id: string }) => b.id)).toEqual(['b1']);
    expect(list.body.bridges[0].trades.trades[0].tradeId).toBe(tick.opened);
    expect(list.body.bridges[0].ticks).toBeUndefined();

    expect(await s.get('/api/bridges/nope')).toMatchObject({ status: 404, body: { error: 'no bridge nope' } });
    // Not in a fleet: no runBy, no fleet.
    expect(list.body.fleet).toBeUndefined();
    expect(list.body.bridges[0]).not.toHaveProperty('runBy');
  });

  it('in a fleet: each bridge names the instance that runs it and the list the live members; a store that does not answer leaves the rest whole', async () => {
    const runner = { host: 'host-b', pid: 4242, instance: 'instance-b', since: '2026-11-23T10:00:00.000Z' };
    const member = { ...runner, view: 'abc', holds: 1 };
    let answer: () => Promise<FleetView> = async () => ({ members: [member], runners: new Map([['b1', runner]]) });
    const s = await open(sim, { fleet: { name: 'east', read: () => answer() } });
    const list = await s.get('/api/bridges');
    expect(list.status).toBe(200);
    expect(list.body.fleet).toEqual({ name: 'east', members: [member] });
    expect(list.body.bridges[0].runBy).toEqual(runner);
    expect((await s.get('/api/bridges/b1')).body.runBy).toEqual(runner);

    // Nobody holds it now: null, not absent.
    answer = async () => ({ members: [member], runners: new Map([['b1', null]]) });
    await sleep(1_100);
    expect((await s.get('/api/bridges')).body.bridges[0].runBy).toBeNull();

    answer = () => Promise.reject(new Error('store unreachable'));
    await sleep(1_100);
    const down = await s.get('/api/bridges');
    expect(down.status).toBe(200);
    expect(down.body.fleet).toEqual({ name: 'east', error: 'store unreachable' });
    expect(down.body.bridges.map((b: { id: string }) => b.id)).toEqual(['b1']);
    expect(down.body.bridges[0]).not.toHaveProperty('runBy');
  });
});

describe('actions', () => {
  it.each(['close', 'halt', 'resume'])('POST /api/bridges/b1/%s is 401 without the token, with a wrong one, or another scheme; nothing happens', async (action) => {
    const s = await open(sim);
    const tick = await s.tick();
    for (const headers of [{}, bearer('wrong-token-0000000000000000'), bearer(`${'http-test-token-6d1f0c2b9a8e7d3c'}x`), { authorization: `Basic http-test-token-6d1f0c2b9a8e7d3c` }]) {
      const r = await s.post(`/api/bridges/b1/${action}`, headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
    }
    expect(liveOf(sim, s.account).map((t) => t.tradeId)).toEqual([tick.opened]);
    expect((await s.get('/api/bridges/b1')).body.halted).toBe(false);
  });

  it('without BRIDGE_HTTP_TOKEN the actions still need a token (one the daemon made up): 401', async () => {
    const s = await open(sim, { env: { BRIDGE_HTTP_TOKEN: '' } });
    expect((await s.post('/api/bridges/b1/halt')).status).toBe(401);
    expect((await s.post('/api/bridges/b1/halt', bearer(''))).status).toBe(401);
  });

  it('close flattens through the same logic as close: the trade is closed on the server and forgotten', async () => {
    const s = await open(sim);
    const tick = await s.tick();
    const r = await s.post('/api/bridges/b1/close', bearer());
    expect(r).toMatchObject({ status: 200, body: { bridge: 'b1', ok: true, results: [{ tradeId: tick.opened, outcome: 'closed' }] } });
    expect(liveOf(sim, s.account)).toEqual([]);
    expect((await s.get('/api/bridges/b1')).body.trades.trades).toEqual([]);
    expect((await s.post('/api/bridges/nope/close', bearer())).status).toBe(404);
  });

  it('a close waits for the running tick: it closes what that tick opened, never racing it', async () => {
    const steered = steeredStrategy();
    const s = await open(sim, { strategy: steered.strategy });
    steered.say('BUY');
    const first = await s.tick();
    expect(first.opened).toBeDefined();
    // The flip's tick is mid-way (its strategy still deciding) when the close arrives.
    const held = steered.hold();
    steered.say('SELL');
    const flip = s.tick();
    await held.asked;
    const close = s.post('/api/bridges/b1/close', bearer());
    await new Promise((r) => setTimeout(r, 50));
    held.release();
    const flipped = await flip;
    expect(flipped).toMatchObject({ ok: true, closed: [{ tradeId: first.opened, outcome: 'closing' }] });
    expect(flipped.opened).toBeDefined();
    const r = await close;
    expect(r.body.results).toContainEqual({ tradeId: flipped.opened, outcome: 'closed' });
    expect(liveOf(sim, s.account)).toEqual([]);
  });

  it('halt: a signal that would open opens nothing (closes go on) until resume', async () => {
    const steered = steeredStrategy();
    const s = await open(sim, { strategy: steered.strategy });
    expect(await s.post('/api/bridges/b1/halt', bearer())).toMatchObject({ status: 200, body: { bridge: 'b1', halted: true } });
    steered.say('BUY');
    const halted = await s.tick();
    expect(halted).toMatchObject({ ok: true, closed: [] });
    expect(halted.opened).toBeUndefined();
    expect(liveOf(sim, s.account)).toEqual([]);
    expect(s.logs.find('halted: the strategy asked to open; nothing is opened (closes go on) until resumed')).toHaveLength(1);
    expect((await s.get('/api/bridges/b1')).body.halted).toBe(true);

    expect(await s.post('/api/bridges/b1/resume', bearer())).toMatchObject({ status: 200, body: { halted: false } });
    const resumed = await s.tick();
    expect(resumed.opened).toBeDefined();

    // Halted while holding: the same side keeps the trade, the other side only closes it.
    await s.post('/api/bridges/b1/halt', bearer());
    expect((await s.tick()).closed).toEqual([]);
    steered.say('SELL');
    const flip = await s.tick();
    expect(flip).toMatchObject({ ok: true, closed: [{ tradeId: resumed.opened, outcome: 'closing' }] });
    expect(flip.opened).toBeUndefined();
    expect(liveOf(sim, s.account)).toEqual([]);
  });
});
