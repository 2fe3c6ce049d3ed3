/**
 * The rebalancer against the real Redis: two instances in this process, each with its own leases on one store
 * (as two hosts would be), share ten bridges; hand-overs wait for the running tick; a leaver hands over at once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../src/bridge/create-bridge.js';
import type { TickResult } from '../../src/bridge/run-tick.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { createFleetMembership } from '../../src/fleet/fleet-membership.js';
import type { ScriptClient } from '../../src/store/redis-script.js';
import { createBridgeLease } from '../../src/store/bridge-lease.js';
import { createStore, type Store } from '../../src/store/create-store.js';

const REDIS = 'redis://127.0.0.1:6379';
const log = pino({ level: 'silent' });
let store: Store;
beforeAll(async () => {
  store = await createStore(REDIS);
});
afterAll(() => store.close());

const client = async () => (store.backend.kind === 'redis' ? ((await store.backend.client()) as unknown as ScriptClient) : Promise.reject(new Error('expected Redis')));

function instance(fleetName: string, bridgeIds: readonly string[], host: string): Fleet {
  const me = { host, pid: 1, instance: randomUUID() };
  const leases = new Map(bridgeIds.map((id) => [id, createBridgeLease({ store, bridgeId: id, ttlMs: 15_000, me, isAlive: () => true })]));
  const membership = createFleetMembership({ client, fleet: fleetName, ttlMs: 2_000 });
  return createFleet({ membership, me, leases, intervalMs: () => 1_000, log, roundMs: 100, fastRoundMs: 50, settleMs: 100 });
}

const fakeBridge = (id: string, tick: () => Promise<TickResult>) => ({ id, config: { schedule: '* * * * * *' }, tick }) as unknown as Bridge;
const ok: TickResult = { ok: true, closed: [], ms: 0 };
const mineOf = (fleet: Fleet, ids: readonly string[]) => ids.filter((id) => fleet.isMine(id));

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

describe('the fleet rebalancer (real Redis)', () => {
  it('a second instance gets half the bridges, a leaver hands all of its bridges over at once, and no bridge is ever run by both', async () => {
    const name = `test-${randomUUID()}`;
    const ids = Array.from({ length: 10 }, (_, i) => `fleet-${name}-${i}`);
    const a = instance(name, ids, 'host-a');
    const b = instance(name, ids, 'host-b');
    let both = 0;
    const watch = setInterval(() => {
      both += ids.filter((id) => a.isMine(id) && b.isMine(id)).length;
    }, 5);
    try {
      await a.start();
      expect(mineOf(a, ids)).toEqual(ids);
      await b.start();
      // No tick runs here, so A hands over as soon as B sees the same members.
      await until(() => mineOf(b, ids).length === 5 && mineOf(a, ids).length === 5, 'five bridges each');
      expect(a.snapshot().members.map((m) => m.host).sort()).toEqual(['host-a', 'host-b']);
      await a.leave();
      await a.stop();
      expect(mineOf(a, ids)).toEqual([]);
      await until(() => mineOf(b, ids).length === 10, 'B runs all ten once A left');
      expect(both).toBe(0);
    } finally {
      clearInterval(watch);
      await a.stop();
      await b.stop();
    }
  });

  it('a bridge moves between two ticks, never during one: its holder releases it when its running tick ends', async () => {
    const name = `test-${randomUUID()}`;
    const ids = Array.from({ length: 6 }, (_, i) => `fleet-${name}-${i}`);
    const a = instance(name, ids, 'host-a');
    const b = instance(name, ids, 'host-b');
    try {
      await a.start();
      // Every bridge of A is in the middle of a long tick when B joins.
      let finish!: () => void;
      const running = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const ticks = ids.map((id) => a.track(fakeBridge(id, async () => (await running, ok))).tick(new Date()));
      await b.start();
      await sleep(600);
      expect(mineOf(b, ids), 'B took a bridge whose tick was still running on A').toEqual([]);
      expect(mineOf(a, ids)).toEqual(ids);
      finish();
      await Promise.all(ticks);
      await until(() => mineOf(b, ids).length === 3 && mineOf(a, ids).length === 3, 'three each after the ticks ended');
      // The tick of a bridge A no longer holds is not run: it answers that the bridge moved.
      const moved = ids.find((id) => b.isMine(id)) as string;
      let ran = false;
      const result = await a.track(fakeBridge(moved, async () => ((ran = true), ok))).tick(new Date());
      expect(ran).toBe(false);
      expect(result.error?.name).toBe('LeaseLostError');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('an instance started with other bridges is left out of the shares: the others keep sharing theirs evenly', async () => {
    const name = `test-${randomUUID()}`;
    const ids = Array.from({ length: 10 }, (_, i) => `fleet-${name}-${i}`);
    const others = Array.from({ length: 4 }, (_, i) => `fleet-${name}-other-${i}`);
    const a = instance(name, ids, 'host-a');
    const b = instance(name, ids, 'host-b');
    const c = instance(name, others, 'host-c');
    try {
      await Promise.all([a.start(), b.start(), c.start()]);
      await until(() => mineOf(a, ids).length === 5 && mineOf(b, ids).length === 5 && mineOf(c, others).length === 4, 'a and b share theirs, c runs its own');
      expect(a.snapshot().members).toHaveLength(3);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });
});
