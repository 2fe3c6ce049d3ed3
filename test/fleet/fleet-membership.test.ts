import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetMembership, type FleetMember } from '../../src/fleet/fleet-membership.js';
import type { ScriptClient } from '../../src/store/redis-script.js';
import { createStore, type Store } from '../../src/store/create-store.js';

const REDIS = 'redis://127.0.0.1:6379';
let store: Store;
beforeAll(async () => {
  store = await createStore(REDIS);
});
afterAll(() => store.close());

const client = async () => {
  if (store.backend.kind !== 'redis') throw new Error('expected Redis');
  return (await store.backend.client()) as unknown as ScriptClient;
};
const member = (name: string, extra: Partial<FleetMember> = {}): FleetMember => ({ instance: `${name}-${randomUUID()}`, host: 'h', pid: 1, since: new Date().toISOString(), view: '', holds: 0, ...extra });
const fleet = (ttlMs = 5_000) => createFleetMembership({ client, fleet: `test-${randomUUID()}`, ttlMs });

describe('fleet membership on the real Redis', () => {
  it('each heartbeat answers every live member, itself included, with what each announced', async () => {
    const membership = fleet();
    const a = member('a');
    const b = member('b', { holds: 7 });
    expect((await membership.heartbeat(a)).map((m) => m.instance)).toEqual([a.instance]);
    const seen = await membership.heartbeat(b);
    expect(seen.map((m) => m.instance).sort()).toEqual([a.instance, b.instance].sort());
    expect(seen.find((m) => m.instance === b.instance)?.holds).toBe(7);
    expect((await membership.list()).length).toBe(2);
    await membership.leave(a.instance);
    await membership.leave(b.instance);
  });

  it('a member that leaves is gone at once; one that stops its heartbeat is gone when its key expires', async () => {
    const membership = fleet(300);
    const leaver = member('leaver');
    const dead = member('dead');
    const alive = member('alive');
    await membership.heartbeat(leaver);
    await membership.heartbeat(dead);
    await membership.heartbeat(alive);
    await membership.leave(leaver.instance);
    expect((await membership.list()).map((m) => m.instance).sort()).toEqual([dead.instance, alive.instance].sort());
    // `dead` stops; `alive` keeps beating past dead's TTL.
    for (let i = 0; i < 4; i += 1) {
      await sleep(150);
      await membership.heartbeat(alive);
    }
    expect((await membership.list()).map((m) => m.instance)).toEqual([alive.instance]);
    await membership.leave(alive.instance);
    expect(await membership.list()).toEqual([]);
  });

  it('two fleets on one Redis do not see each other', async () => {
    const one = fleet();
    const two = fleet();
    const a = member('a');
    const b = member('b');
    await one.heartbeat(a);
    expect((await two.heartbeat(b)).map((m) => m.instance)).toEqual([b.instance]);
    await one.leave(a.instance);
    await two.leave(b.instance);
  });
});
