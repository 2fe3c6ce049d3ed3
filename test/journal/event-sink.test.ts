import { describe, expect, it } from 'vitest';
import { createEventSink, type EventObserver } from '../../src/journal/bridge-events.js';
import { journalOn } from '../../src/journal/create-journal.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { memoryJournal } from '../../src/journal/memory-journal.js';
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
});
