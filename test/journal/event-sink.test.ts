import { describe, expect, it } from 'vitest';
import { createEventSink, type EventObserver } from '../../src/journal/bridge-events.js';
import { journalOn } from '../../src/journal/create-journal.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { memoryJournal } from '../../src/journal/memory-journal.js';
import { createBridgeLease } from '../../src/store/bridge-lease.js';
import { createStore } from '../../src/store/create-store.js';
import { captureLog } from '../helpers/capture-log.js';

function observer(): EventObserver & { seen: string[] } {
  const seen: string[] = [];
  return { seen, observe: (b, e) => seen.push(`${b}:${e.type}`), tickOk: (b) => seen.push(`${b}:ok`), journalFailed: (b, e) => seen.push(`${b}:failed:${e.message}`) };
}

const signal: JournalEvent = { type: 'signal', source: 'random', side: 'SELL' };

describe('the event sink', () => {
  it('returns before the journal is written, and flush waits for it', async () => {
    const backend = memoryJournal();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const journal = journalOn({ ...backend, append: async (e) => gate.then(() => backend.append(e)) });
    const sink = createEventSink({ journal, log: captureLog().log });
    sink.forBridge('b1').record(signal);
    expect(backend.raw.get('b1')).toBeUndefined();
    release();
    await sink.flush();
    expect(backend.raw.get('b1')).toHaveLength(1);
  });

  it('a write that keeps failing is logged with the event, reported, and counted in a gap entry once the journal is back', async () => {
    const backend = memoryJournal();
    let down = true;
    const journal = journalOn({ ...backend, append: async (e) => (down ? Promise.reject(new Error('SQLITE_FULL')) : backend.append(e)) }, { attempts: 2, retryDelayMs: 1 });
    const seen = observer();
    const logs = captureLog();
    const sink = createEventSink({ journal, observer: seen, log: logs.log });
    const events = sink.forBridge('b1');
    events.record(signal);
    events.record({ type: 'open', orderRef: 'sb.b1.a', tradeId: '1', side: 'SELL', volume: 1, instrument: 'BTCUSD' });
    await sink.flush();
    expect(seen.seen).toEqual(['b1:signal', 'b1:open', 'b1:failed:SQLITE_FULL', 'b1:failed:SQLITE_FULL']);
    expect(logs.find('journal write failed: the event is not in the journal (the trade itself is unaffected)').map((l) => (l.event as { type: string }).type)).toEqual(['signal', 'open']);
    down = false;
    events.record({ type: 'tick_failed', reason: 'x' });
    await sink.flush();
    const entries = await journal.entries();
    expect(entries.map((e) => e.type)).toEqual(['gap', 'tick_failed']);
    expect(entries[0]).toMatchObject({ seq: 1, missed: 2, types: ['signal', 'open'], error: 'SQLITE_FULL' });
    expect((await journal.verify())[0]?.ok).toBe(true);
  });

  it('an invalid event is logged, never thrown at the bridge', () => {
    const logs = captureLog();
    const sink = createEventSink({ journal: journalOn(memoryJournal()), log: logs.log });
    expect(() => sink.forBridge('b1').record({ type: 'open' } as unknown as JournalEvent)).not.toThrow();
    expect(logs.find('event not recorded')).toHaveLength(1);
  });

  it('an event of a bridge this process no longer holds is refused by the store, logged with the event, and is no journal failure', async () => {
    const store = await createStore('memory://');
    let now = Date.now();
    const me = { host: 'here', pid: 1, instance: 'me' };
    const mine = createBridgeLease({ store, bridgeId: 'b1', ttlMs: 15_000, me, isAlive: () => true, now: () => now });
    await mine.acquire();
    const backend = memoryJournal(store.backend.kind === 'memory' ? store.backend.map : undefined);
    const journal = journalOn(backend, { leaseOf: () => mine });
    const seen = observer();
    const logs = captureLog();
    const sink = createEventSink({ journal, observer: seen, log: logs.log });
    const events = sink.forBridge('b1');
    events.record(signal);
    await sink.flush();
    // Another instance takes the bridge over; this one, not yet aware, still records.
    now += 15_001;
    await createBridgeLease({ store, bridgeId: 'b1', ttlMs: 15_000, me: { ...me, instance: 'other' }, isAlive: () => true, now: () => now }).acquire();
    events.record({ type: 'tick_failed', reason: 'late' });
    // Its own loss is heard (alerts) but not journaled: the chain is the new holder's.
    events.record({ type: 'lease', change: 'lost' });
    await sink.flush();
    expect(backend.raw.get('b1')).toHaveLength(1);
    const dropped = logs.find('journal: event dropped: this process no longer holds the bridge, so its chain is not ours to write');
    expect(dropped.map((l) => (l.event as { type: string }).type)).toEqual(['tick_failed']);
    expect(dropped[0]!.level).toBe(40);
    expect(logs.find('journal write failed: the event is not in the journal (the trade itself is unaffected)')).toEqual([]);
    expect(seen.seen).toEqual(['b1:signal', 'b1:tick_failed', 'b1:lease']);
  });
});
