/**
 * One writer per bridge: the lease, on each store it must work on (memory, sqlite, the real Redis at
 * 127.0.0.1:6379). A second holder is refused while the first is alive; a lease whose holder is a dead process on
 * this host is taken at once; an expired one is taken; renew fails once another took it; release frees it; two
 * processes racing for a free lease get exactly one winner.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBridgeLease, type LeaseHolder, type LeaseOptions } from '../../src/store/bridge-lease.js';
import { createStore, type Store } from '../../src/store/create-store.js';

const TTL_MS = 30_000;
const HOST = os.hostname();
const REDIS_URL = 'redis://127.0.0.1:6379';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The pid of a process that existed and has exited: a holder that crashed. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-lease-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BACKENDS: { name: string; url: () => string }[] = [
  { name: 'memory', url: () => 'memory://' },
  { name: 'sqlite', url: () => `sqlite://${path.join(dir, 'lease.sqlite')}` },
  { name: 'redis', url: () => REDIS_URL },
];

describe.each(BACKENDS)('the bridge lease on $name', ({ url }) => {
  let store: Store;
  let bridgeId: string;
  /** Lease keys this test may have written, removed afterwards (on Redis: signal-bridge:lease:bridge:<id>:lease). */
  const used: string[] = [];

  beforeAll(async () => {
    store = await createStore(url());
  });
  afterEach(async () => {
    for (const key of used.splice(0)) {
      const value = await store.cells.get(key);
      if (value !== undefined) await store.cells.compareAndDelete(key, value);
    }
  });
  afterAll(async () => {
    await store.close();
  });

  function lease(overrides: Partial<LeaseOptions> & { pid?: number; host?: string } = {}) {
    used.push(`bridge:${bridgeId}:lease`);
    const { pid = process.pid, host = HOST, ...rest } = overrides;
    return createBridgeLease({ store, bridgeId, ttlMs: TTL_MS, me: { host, pid, instance: randomUUID() }, isAlive, ...rest });
  }

  // A fresh bridge id per test: nothing left by another test (or another run on the shared Redis) interferes.
  const fresh = () => {
    bridgeId = `lease-test-${randomUUID().slice(0, 8)}`;
  };

  it('a second holder is refused while the first is alive, and is told who holds it', async () => {
    fresh();
    const first = lease();
    const second = lease();
    expect(await first.acquire()).toEqual({ ok: true });

    const refused = await second.acquire();

    expect(refused.ok).toBe(false);
    const holder = (refused as { holder: LeaseHolder }).holder;
    expect(holder).toMatchObject({ host: HOST, pid: process.pid });
    expect(holder.expiresAt).toBeGreaterThan(Date.now());
    // The first still holds it.
    expect(await first.renew()).toBe(true);
  });

  it('a lease whose holder is a dead process on this host is taken at once', async () => {
    fresh();
    const pid = await deadPid();
    const crashed = lease({ pid });
    expect(await crashed.acquire()).toEqual({ ok: true });

    // Taken from a holder that stopped without releasing it: the taker is told who, for its report of what was missed.
    expect(await lease().acquire()).toMatchObject({ ok: true, died: { pid, host: HOST, epoch: 1 } });
    // The crashed holder, were it to come back, could not renew.
    expect(await crashed.renew()).toBe(false);
  });

  it('a holder on another host is refused until its lease expires, then it is taken', async () => {
    fresh();
    let now = Date.now();
    const elsewhere = lease({ host: 'other-host.example', pid: 1, now: () => now });
    expect(await elsewhere.acquire()).toEqual({ ok: true });
    // Its pid is not ours to judge: another host.
    const here = lease({ now: () => now });
    expect((await here.acquire()).ok).toBe(false);

    now += TTL_MS + 1;
    expect(await here.acquire()).toEqual({ ok: true, died: expect.objectContaining({ host: 'other-host.example', pid: 1 }) });
  });

  it('an expired lease of a live process on this host is taken too (it stopped renewing)', async () => {
    fresh();
    let now = Date.now();
    const stalled = lease({ now: () => now });
    expect(await stalled.acquire()).toEqual({ ok: true });
    now += TTL_MS + 1;
    expect(await lease({ now: () => now }).acquire()).toMatchObject({ ok: true, died: { host: HOST, pid: process.pid } });
  });

  it('renew keeps the lease while it is ours and fails once another holder took it', async () => {
    fresh();
    let now = Date.now();
    const first = lease({ now: () => now });
    expect(await first.acquire()).toEqual({ ok: true });
    now += TTL_MS / 2;
    expect(await first.renew()).toBe(true);
    // Renewed: not expired at the old deadline.
    now += TTL_MS / 2 + 1;
    expect((await lease({ now: () => now }).acquire()).ok).toBe(false);

    now += TTL_MS;
    const second = lease({ now: () => now });
    expect(await second.acquire()).toMatchObject({ ok: true, died: { host: HOST } });
    expect(await first.renew()).toBe(false);
    // And stays lost: the next renew does not steal it back.
    expect(await first.renew()).toBe(false);
    expect(await second.renew()).toBe(true);
  });

  it('the last tick a holder recorded goes with its renewals to whoever takes over after it died, and on across a release', async () => {
    fresh();
    let now = Date.now();
    const first = lease({ now: () => now });
    await first.acquire();
    first.ticked(new Date('2026-11-23T10:00:07.000Z'));
    // Not written yet: a tick's end rides on the next renewal.
    await first.renew();
    now += TTL_MS + 1;
    const second = lease({ now: () => now });
    expect(await second.acquire()).toMatchObject({ ok: true, died: { lastTick: '2026-11-23T10:00:07.000Z' } });
    // The second never ticks and releases: the next holder still learns the bridge's last tick, and no death.
    await second.release();
    const third = await lease({ now: () => now }).acquire();
    expect(third).toEqual({ ok: true });
    const record = JSON.parse((await store.cells.get(`bridge:${bridgeId}:lease`))!) as LeaseHolder;
    expect(record.lastTick).toBe('2026-11-23T10:00:07.000Z');
  });

  it('says how long it stays ours: the full TTL after a renewal, less as time passes, nothing once lost', async () => {
    fresh();
    let now = Date.now();
    const first = lease({ now: () => now });
    expect(first.validForMs()).toBe(0);
    await first.acquire();
    expect(first.validForMs()).toBe(TTL_MS);
    now += 10_000;
    expect(first.validForMs()).toBe(TTL_MS - 10_000);
    await first.renew();
    expect(first.validForMs()).toBe(TTL_MS);
    now += TTL_MS + 1;
    expect(first.validForMs()).toBe(0);
    await lease({ now: () => now }).acquire();
    expect(await first.renew()).toBe(false);
    expect(first.validForMs()).toBe(0);
  });

  it('keepAlive writes nothing while two thirds of the TTL remain, renews after that, and fails once lost', async () => {
    fresh();
    let now = Date.now();
    const first = lease({ now: () => now });
    await first.acquire();
    const key = used[used.length - 1]!;
    const written = await store.cells.get(key);
    now += TTL_MS / 3 - 1_000;
    expect(await first.keepAlive()).toBe(true);
    expect(await store.cells.get(key)).toBe(written);
    now += 2_000;
    expect(await first.keepAlive()).toBe(true);
    expect(await store.cells.get(key)).not.toBe(written);
    expect(first.validForMs()).toBe(TTL_MS);
    now += TTL_MS + 1;
    await lease({ now: () => now }).acquire();
    expect(await first.keepAlive()).toBe(false);
  });

  it('release frees it for the next holder at once; releasing a lease no longer ours changes nothing', async () => {
    fresh();
    const first = lease();
    const second = lease();
    expect(await first.acquire()).toEqual({ ok: true });
    expect((await second.acquire()).ok).toBe(false);

    await first.release();

    expect(await second.acquire()).toEqual({ ok: true });
    await first.release();
    expect(await second.renew()).toBe(true);
  });

  it('many holders racing for a free lease: exactly one wins', async () => {
    fresh();
    const contenders = Array.from({ length: 8 }, () => lease());
    const results = await Promise.all(contenders.map((c) => c.acquire()));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('many holders racing for a dead holder\'s lease: exactly one takes it over', async () => {
    fresh();
    expect(await lease({ pid: await deadPid() }).acquire()).toEqual({ ok: true });
    const contenders = Array.from({ length: 8 }, () => lease());
    const results = await Promise.all(contenders.map((c) => c.acquire()));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });
});

describe('the lease on Redis', () => {
  it('is a key under signal-bridge:lease: that Redis never expires: a release keeps its epoch for the next holder', async () => {
    const store = await createStore(REDIS_URL);
    const bridgeId = `lease-test-${randomUUID().slice(0, 8)}`;
    const key = `bridge:${bridgeId}:lease`;
    try {
      const first = createBridgeLease({ store, bridgeId, ttlMs: 1_500, me: { host: HOST, pid: process.pid, instance: randomUUID() }, isAlive });
      expect(await first.acquire()).toEqual({ ok: true });
      const redis = (await (store.keyv.store as { getClient(): Promise<unknown> }).getClient()) as { pTTL(key: string): Promise<number> };
      // -1: no expiry. A vanished lease record would mean the store lost its data, never that it timed out.
      expect(await redis.pTTL(`signal-bridge:lease:${key}`)).toBe(-1);
      expect(first.fence()?.epoch).toBe(1);
      await first.release();
      const second = createBridgeLease({ store, bridgeId, ttlMs: 1_500, me: { host: HOST, pid: process.pid, instance: randomUUID() }, isAlive });
      expect(await second.acquire()).toEqual({ ok: true });
      expect(second.fence()?.epoch).toBe(2);
    } finally {
      const value = await store.cells.get(key);
      if (value !== undefined) await store.cells.compareAndDelete(key, value);
      await store.close();
    }
  });
});
