/**
 * Fenced writes, on each store (memory, sqlite, the real Redis at 127.0.0.1:6379): a bridge's state is written only
 * while the writer's lease record names it at its epoch. A holder that stalled past its lease and was taken over
 * has its write refused (FenceError) and the new holder's record stays whole; overlapping renewals of one lease
 * never lose it; a store that lost the lease record (it forgot its data) is noticed at the next renewal and the next
 * write (StoreForgotError), never read as "nothing held".
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgeLease, leaseKey } from '../../src/store/bridge-lease.js';
import { createBridgeState, emptyState, type BridgeStateDoc } from '../../src/store/bridge-state.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import { FenceError } from '../../src/store/fence-error.js';
import { StoreForgotError } from '../../src/store/store-forgot-error.js';

const TTL_MS = 30_000;
const HOST = os.hostname();
const alive = () => true;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-fence-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BACKENDS: { name: string; url: () => string }[] = [
  { name: 'memory', url: () => 'memory://' },
  { name: 'sqlite', url: () => `sqlite://${path.join(dir, 'fence.sqlite')}` },
  { name: 'redis', url: () => 'redis://127.0.0.1:6379' },
];

const trade = (tradeId: string, bridgeId: string): BridgeStateDoc['trades'][number] => ({
  tradeId,
  orderRef: `sb.${bridgeId}.${tradeId}`,
  side: 'BUY',
  volume: 1,
  instrument: 'BTCUSD',
  openedAt: '2030-01-01T00:00:00.000Z',
});

/** Removes what a test wrote on the shared Redis (its bridge ids are unique). */
async function forget(store: Store, bridgeId: string): Promise<void> {
  const backend = store.backend;
  if (backend.kind === 'memory') {
    backend.map.delete(leaseKey(bridgeId));
    backend.map.delete(`state:${bridgeId}`);
  } else if (backend.kind === 'sqlite') {
    await backend.query('DELETE FROM signal_bridge_leases WHERE key = ?', leaseKey(bridgeId));
    await backend.query('DELETE FROM signal_bridge_state WHERE bridge = ?', bridgeId);
  } else {
    const client = (await backend.client()) as unknown as { del(keys: string[]): Promise<number> };
    await client.del([`signal-bridge:lease:${leaseKey(bridgeId)}`, `signal-bridge:state:${bridgeId}`]);
  }
}

describe.each(BACKENDS)('fenced state writes on $name', ({ url }) => {
  let store: Store;
  const ids: string[] = [];
  const freshId = () => {
    const id = `fence-${randomUUID().slice(0, 8)}`;
    ids.push(id);
    return id;
  };
  beforeAll(async () => {
    store = await createStore(url());
  });
  afterAll(async () => {
    for (const id of ids) await forget(store, id);
    await store.close();
  });

  const lease = (bridgeId: string, clock: () => number) =>
    createBridgeLease({ store, bridgeId, ttlMs: TTL_MS, me: { host: HOST, pid: process.pid, instance: randomUUID() }, isAlive: alive, now: clock });

  it('a holder that stalled past its lease and was taken over cannot write: FenceError, and the new record stays whole', async () => {
    const bridgeId = freshId();
    let now = Date.now();
    const stalled = lease(bridgeId, () => now);
    expect(await stalled.acquire()).toEqual({ ok: true });
    const stalledState = createBridgeState(store, bridgeId, stalled);
    await stalledState.save({ ...emptyState(), trades: [trade('100', bridgeId)] });

    now += TTL_MS + 1;
    const standby = lease(bridgeId, () => now);
    expect(await standby.acquire()).toMatchObject({ ok: true, died: { host: HOST } });
    // Each take-over is one more epoch: that is the token the stale write presents and loses on.
    expect(standby.fence()!.epoch).toBe(stalled.fence()!.epoch + 1);
    const standbyState = createBridgeState(store, bridgeId, standby);
    const theirs = { ...emptyState(), trades: [trade('200', bridgeId)] };
    await standbyState.save(theirs);

    // The stalled holder wakes up with its old view and writes: refused, nothing overwritten.
    const error = await stalledState.save({ ...emptyState(), trades: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FenceError);
    expect((error as Error).message).toMatch(/another process took over this bridge/);
    expect(await standbyState.load()).toEqual(theirs);
    // Reads stay plain: the stalled one may still read what is there.
    expect(await stalledState.load()).toEqual(theirs);
  });

  it('a holder whose lease was released and taken by another cannot write either (same instance, older epoch)', async () => {
    const bridgeId = freshId();
    const now = Date.now();
    const first = lease(bridgeId, () => now);
    await first.acquire();
    const firstState = createBridgeState(store, bridgeId, first);
    await first.release();
    // Released: this process holds nothing, so it writes nothing.
    await expect(firstState.save(emptyState())).rejects.toBeInstanceOf(FenceError);
    const second = lease(bridgeId, () => now);
    expect(await second.acquire()).toEqual({ ok: true });
    await createBridgeState(store, bridgeId, second).save({ ...emptyState(), trades: [trade('300', bridgeId)] });
    expect((await firstState.load()).trades.map((t) => t.tradeId)).toEqual(['300']);
  });

  it('renewals that overlap (prefetch, keep-alive timer, tick) do not lose the lease, and writes go on', async () => {
    const bridgeId = freshId();
    let now = Date.now();
    const holder = lease(bridgeId, () => now);
    await holder.acquire();
    const state = createBridgeState(store, bridgeId, holder);
    for (let round = 0; round < 5; round += 1) {
      now += TTL_MS / 2;
      const results = await Promise.all([holder.renew(), holder.keepAlive(), holder.renew(), holder.renew(), holder.keepAlive()]);
      expect(results).toEqual([true, true, true, true, true]);
      expect(holder.validForMs()).toBe(TTL_MS);
      await state.save({ ...emptyState(), trades: [trade(String(400 + round), bridgeId)] });
    }
    expect((await state.load()).trades.map((t) => t.tradeId)).toEqual(['404']);
  });

  it('a compare-and-set that finds our own record (a renewal whose reply was lost) is success, not a take-over', async () => {
    const bridgeId = freshId();
    let now = Date.now();
    const holder = lease(bridgeId, () => now);
    await holder.acquire();
    // Our renewal reached the store but its answer never came back: the record is ours, newer than we think.
    const key = leaseKey(bridgeId);
    const current = (await store.cells.get(key))!;
    const renewedElsewhere = JSON.stringify({ ...JSON.parse(current), expiresAt: now + TTL_MS + 5 });
    expect(await store.cells.compareAndSet(key, current, renewedElsewhere, TTL_MS)).toBe(true);
    now += 1_000;
    expect(await holder.renew()).toBe(true);
    await createBridgeState(store, bridgeId, holder).save({ ...emptyState(), trades: [trade('500', bridgeId)] });
  });

  it('a store that forgot (the lease record is gone) is noticed: the renewal and the write say so, nothing is written', async () => {
    const bridgeId = freshId();
    const now = Date.now();
    const holder = lease(bridgeId, () => now);
    await holder.acquire();
    const state = createBridgeState(store, bridgeId, holder);
    await state.save({ ...emptyState(), trades: [trade('600', bridgeId)] });

    await forget(store, bridgeId);

    // Empty now, which must never pass for "nothing open": the write that would follow is refused.
    expect(await state.load()).toEqual(emptyState());
    await expect(state.save({ ...emptyState(), intents: [] })).rejects.toBeInstanceOf(StoreForgotError);
    await expect(holder.renew()).rejects.toBeInstanceOf(StoreForgotError);
    expect(await store.states.get(bridgeId)).toBeUndefined();
  });

  it('a state written before it had its own fenced place (a Keyv value) is read once, then moved', async () => {
    const bridgeId = freshId();
    const holder = lease(bridgeId, Date.now);
    await holder.acquire();
    const old = { ...emptyState(), trades: [trade('700', bridgeId)] };
    await store.keyv.set(`bridge:${bridgeId}:state`, old);
    const state = createBridgeState(store, bridgeId, holder);
    expect(await state.load()).toEqual(old);
    await state.save(old);
    expect(await store.keyv.get(`bridge:${bridgeId}:state`)).toBeUndefined();
    expect(await createBridgeState(store, bridgeId).load()).toEqual(old);
  });
});
