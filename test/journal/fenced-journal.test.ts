/**
 * A bridge's journal is fenced by its lease, as its state is: two holders of one bridge, one after the other, each
 * with its own connection to the store (as two fleet instances have). The one whose lease was taken over cannot
 * append, whatever head it still has in mind; the new holder continues the chain, and so does the first once it
 * holds the lease again. On the real Redis, on SQLite (one file, two connections) and in memory.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createJournal, journalOn, type JournalOptions } from '../../src/journal/create-journal.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { JournalConflictError } from '../../src/journal/journal-backend.js';
import { memoryJournal } from '../../src/journal/memory-journal.js';
import { createBridgeLease } from '../../src/store/bridge-lease.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import { FenceError } from '../../src/store/fence-error.js';
import { removeTempDirs, tempDir } from '../helpers/sim-runtime.js';
import { KINDS, storeUrl } from './backends.js';

const TTL_MS = 15_000;
const close = (tradeId: string): JournalEvent => ({ type: 'close', tradeId, orderRef: `sb.x.${tradeId}`, reason: 'signal', price: 30_000, realisedPnl: 1 });

afterAll(removeTempDirs);

describe.each(KINDS)('the journal of a bridge with two holders on %s', (kind) => {
  it('the holder that lost the lease cannot append; the new one continues the chain, and it verifies', async () => {
    const url = kind === 'sqlite' ? `sqlite://${path.join(tempDir('fenced-journal'), 'bridge.sqlite')}` : storeUrl(kind);
    const storeA = await createStore(url);
    // Memory lives in one process: both holders share the store there.
    const storeB = kind === 'memory' ? storeA : await createStore(url);
    const bridge = `fenced-journal-${randomUUID().slice(0, 8)}`;
    let now = Date.now();
    const lease = (store: Store, host: string) => createBridgeLease({ store, bridgeId: bridge, ttlMs: TTL_MS, me: { host, pid: 1, instance: randomUUID() }, isAlive: () => true, now: () => now });
    const leaseA = lease(storeA, 'host-a');
    const leaseB = lease(storeB, 'host-b');
    // Memory: one journal's entries, seen by both holders (elsewhere the store is what they share).
    const shared = storeA.backend.kind === 'memory' ? memoryJournal(storeA.backend.map) : undefined;
    const journal = (store: Store, options: JournalOptions) => (shared ? journalOn(shared, options) : createJournal(store, options));
    const journalA = await journal(storeA, { leaseOf: () => leaseA, retryDelayMs: 1 });
    const journalB = await journal(storeB, { leaseOf: () => leaseB, retryDelayMs: 1 });
    try {
      expect((await leaseA.acquire()).ok).toBe(true);
      await journalA.append(bridge, close('1'));
      await journalA.append(bridge, close('2'));

      // A stalls past its lease (it still believes it holds it) and B takes the bridge over.
      now += TTL_MS + 1;
      expect(await leaseB.acquire()).toMatchObject({ ok: true, died: { host: 'host-a' } });
      expect(leaseA.fence()).toBeDefined();

      // A's delayed event, before B wrote anything: refused by the store, not slipped in as entry 3.
      await expect(journalA.append(bridge, close('late-1'))).rejects.toBeInstanceOf(FenceError);
      const b3 = await journalB.append(bridge, close('3'));
      expect(b3.seq).toBe(3);
      // B's own write retried after a lost reply is recognised as stored; another entry 3 is a clash.
      await expect(journalB.backend.append([b3], leaseB.fence())).resolves.toBeUndefined();
      await expect(journalB.backend.append([{ ...b3, hash: 'not-the-same' }], leaseB.fence())).rejects.toBeInstanceOf(JournalConflictError);
      // And after: still a refusal of the lease, never a clash of two writers on entry 3.
      const clash = await journalA.append(bridge, close('late-2')).catch((error: unknown) => error);
      expect(clash).toBeInstanceOf(FenceError);
      expect(clash).not.toBeInstanceOf(JournalConflictError);
      await journalB.append(bridge, close('4'));

      // B hands the bridge back; A, told that the chain moved on (resync), continues it from B's head.
      await leaseB.release();
      expect(await leaseA.acquire()).toEqual({ ok: true });
      journalA.resync(bridge);
      const a5 = await journalA.append(bridge, close('5'));
      expect(a5).toMatchObject({ seq: 5 });
      await expect(journalB.append(bridge, close('late-3'))).rejects.toBeInstanceOf(FenceError);

      const entries = await journalB.entries({ bridge });
      expect(entries.map((e) => `${e.seq}:${(e as { tradeId: string }).tradeId}`)).toEqual(['1:1', '2:2', '3:3', '4:4', '5:5']);
      expect(await journalA.verify(bridge)).toEqual([{ ok: true, bridge, entries: 5, head: a5.hash }]);
    } finally {
      await cleanUp(storeA, bridge);
      await storeA.close();
      if (storeB !== storeA) await storeB.close();
    }
  });
});

async function cleanUp(store: Store, bridge: string): Promise<void> {
  if (store.backend.kind !== 'redis') return;
  const redis = await store.backend.client();
  await redis.del([`signal-bridge:journal:${bridge}`, `signal-bridge:lease:bridge:${bridge}:lease`]);
  await redis.sRem('signal-bridge:journal:bridges', bridge);
}
