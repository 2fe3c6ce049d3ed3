import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/journal/events.js';
import { archiveJournal } from '../../src/journal/archive-journal.js';
import { journalOn } from '../../src/journal/create-journal.js';
import { GENESIS, hashEntry } from '../../src/journal/hash-entry.js';
import { JournalConflictError } from '../../src/journal/journal-backend.js';
import { memoryJournal } from '../../src/journal/memory-journal.js';
import { removeTempDirs, tempDir } from '../helpers/sim-runtime.js';
import { KINDS, openJournal, type OpenJournal } from './backends.js';

const open = (n: number): JournalEvent => ({ type: 'open', orderRef: `sb.x.${n}`, tradeId: String(746800000000 + n), side: 'BUY', volume: 1, instrument: 'BTCUSD', price: 30000 + n, latencyMs: 100 + n });

afterAll(removeTempDirs);

describe.each(KINDS)('journal on %s', (kind) => {
  let j: OpenJournal;
  beforeEach(async () => {
    j = await openJournal(kind);
  });
  afterEach(async () => {
    await j.close();
  });

  it('chains each entry to the one before it and verifies', async () => {
    const bridge = j.bridgeId();
    const first = await j.journal.append(bridge, { type: 'signal', source: 'random', side: 'BUY' });
    const second = await j.journal.append(bridge, open(1));
    expect(first).toMatchObject({ bridge, seq: 1, prev: GENESIS, type: 'signal', source: 'random' });
    expect(second).toMatchObject({ seq: 2, prev: first.hash, tradeId: '746800000001', price: 30001 });
    expect(second.hash).toBe(hashEntry(second));
    expect(new Date(second.time).toISOString()).toBe(second.time);
    expect(await j.journal.entries({ bridge })).toEqual([first, second]);
    expect(await j.journal.verify(bridge)).toEqual([{ ok: true, bridge, entries: 2, head: second.hash }]);
  });

  it('keeps the order of overlapping appends of one bridge, and bridges apart', async () => {
    const [a, b] = [j.bridgeId('a'), j.bridgeId('b')];
    await Promise.all(Array.from({ length: 20 }, (_, n) => [j.journal.append(a, open(n)), j.journal.append(b, open(100 + n))]).flat());
    const entries = await j.journal.entries({ bridge: a });
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    expect(entries.map((e) => (e.type === 'open' ? e.price : 0))).toEqual(Array.from({ length: 20 }, (_, n) => 30000 + n));
    expect((await j.journal.verify(a))[0]?.ok).toBe(true);
    expect((await j.journal.verify(b))[0]).toMatchObject({ ok: true, entries: 20 });
  });

  it("writes a tick's burst of events in one store call, chained in the order they were recorded", async () => {
    const bridge = j.bridgeId();
    const { backend } = j.journal;
    const writes: number[][] = [];
    const counted = journalOn({ ...backend, append: (entries, fence) => (writes.push(entries.map((e) => e.seq)), backend.append(entries, fence)) });
    const appended = await Promise.all([counted.append(bridge, { type: 'signal', source: 'random', side: 'BUY' }), counted.append(bridge, open(1)), counted.append(bridge, open(2))]);
    await counted.append(bridge, open(3));

    expect(writes).toEqual([[1, 2, 3], [4]]);
    expect(appended.map((e) => [e.seq, e.type])).toEqual([[1, 'signal'], [2, 'open'], [3, 'open']]);
    expect((await counted.verify(bridge))[0]).toMatchObject({ ok: true, entries: 4 });
  });

  it('stores a batch written again after a lost reply once, the entries new in it too; another entry at a stored seq is refused', async () => {
    const bridge = j.bridgeId();
    const [e1, e2] = await Promise.all([j.journal.append(bridge, open(1)), j.journal.append(bridge, open(2))]);
    const e3body = { ...open(3), bridge, seq: 3, time: e2!.time, prev: e2!.hash };
    const e3 = { ...e3body, hash: hashEntry(e3body) } as typeof e2;

    await j.journal.backend.append([e1!, e2!]);
    await j.journal.backend.append([e2!, e3!]);

    expect((await j.journal.entries({ bridge })).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await j.journal.verify(bridge))[0]).toMatchObject({ ok: true, entries: 3 });
    await expect(j.journal.backend.append([{ ...e2!, hash: 'another' }])).rejects.toBeInstanceOf(JournalConflictError);
  });

  it('refuses an event that does not match its type', async () => {
    const bridge = j.bridgeId();
    expect(() => j.journal.append(bridge, { type: 'close', tradeId: '1', reason: 'because' } as unknown as JournalEvent)).toThrow(/reason/);
    expect(() => j.journal.append(bridge, { type: 'moment_skipped', reason: 'tired', scheduledAt: '2026-11-22T10:00:01.000Z', moments: 1 } as unknown as JournalEvent)).toThrow(/reason/);
    expect(() => j.journal.append(bridge, { type: 'moment_skipped', reason: 'event-loop-blocked', scheduledAt: '2026-11-22T10:00:01.000Z', moments: 0 } as unknown as JournalEvent)).toThrow(/moments/);
    expect(await j.journal.entries({ bridge })).toEqual([]);
  });

  it('filters by time with since', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const timed = await openJournal(kind, undefined, { now: () => now });
    try {
      const bridge = timed.bridgeId();
      await timed.journal.append(bridge, open(1));
      now = Date.parse('2026-11-20T00:00:00Z');
      await timed.journal.append(bridge, open(2));
      expect((await timed.journal.entries({ bridge, since: new Date('2026-11-10T00:00:00Z') })).map((e) => e.seq)).toEqual([2]);
    } finally {
      await timed.close();
    }
  });

  it('archives old entries to a file and records it: the chain verifies from the anchor', async () => {
    let now = Date.parse('2026-10-01T00:00:00Z');
    const timed = await openJournal(kind, undefined, { now: () => now });
    try {
      const bridge = timed.bridgeId();
      for (let n = 1; n <= 3; n += 1) await timed.journal.append(bridge, open(n));
      now = Date.parse('2026-11-20T00:00:00Z');
      await timed.journal.append(bridge, open(4));
      const dir = tempDir('archive');
      const done = await archiveJournal(timed.journal, bridge, { before: new Date('2026-11-01T00:00:00Z'), dir });
      expect(done).toMatchObject({ archived: 3, uptoSeq: 3 });
      const archived = readFileSync(done.file!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string });
      expect(archived.map((e) => e.seq)).toEqual([1, 2, 3]);
      const kept = await timed.journal.entries({ bridge });
      expect(kept.map((e) => [e.seq, e.type])).toEqual([[4, 'open'], [5, 'retention']]);
      expect(kept[1]).toMatchObject({ archived: 3, uptoSeq: 3, anchor: archived[2]!.hash, file: path.resolve(done.file!) });
      expect((await timed.journal.verify(bridge))[0]).toMatchObject({ ok: true, entries: 2 });
      // A second archive later takes the rest, the first retention entry with it.
      now = Date.parse('2026-12-31T00:00:00Z');
      await timed.journal.append(bridge, open(6));
      expect(await archiveJournal(timed.journal, bridge, { before: new Date('2026-12-01T00:00:00Z'), dir })).toMatchObject({ archived: 2, uptoSeq: 5 });
      expect((await timed.journal.verify(bridge))[0]).toMatchObject({ ok: true, entries: 2 });
      // Dropping more without a retention entry is caught.
      await timed.journal.backend.dropUpTo(bridge, 6);
      expect((await timed.journal.verify(bridge))[0]).toMatchObject({ ok: false, seq: 7 });
    } finally {
      await timed.close();
    }
  });
});

describe('a journal write that fails', () => {
  it('is retried with the same entry, so a write that landed before its error is stored once', async () => {
    const backend = memoryJournal();
    let failNext = true;
    const flaky = {
      ...backend,
      async append(entry: Parameters<typeof backend.append>[0]) {
        await backend.append(entry);
        if (failNext) {
          failNext = false;
          throw new Error('reply lost');
        }
      },
    };
    const journal = journalOn(flaky, { retryDelayMs: 1 });
    await journal.append('b1', open(1));
    await journal.append('b1', open(2));
    expect((await journal.entries()).map((e) => e.seq)).toEqual([1, 2]);
    expect((await journal.verify())[0]).toMatchObject({ ok: true, entries: 2 });
  });

  it('rejects after the last try, and the next append continues the chain', async () => {
    const backend = memoryJournal();
    let down = true;
    const journal = journalOn({ ...backend, append: async (e) => (down ? Promise.reject(new Error('disk full')) : backend.append(e)) }, { retryDelayMs: 1, attempts: 2 });
    await expect(journal.append('b1', open(1))).rejects.toThrow('disk full');
    down = false;
    await journal.append('b1', open(2));
    expect((await journal.entries()).map((e) => e.seq)).toEqual([1]);
    expect((await journal.verify())[0]).toMatchObject({ ok: true, entries: 1 });
  });
});

describe('verify names the first broken entry', () => {
  async function chain() {
    const backend = memoryJournal();
    const journal = journalOn(backend);
    for (let n = 1; n <= 5; n += 1) await journal.append('b1', open(n));
    const rows = backend.raw.get('b1')!;
    return { journal, rows, parsed: rows.map((r) => JSON.parse(r) as Record<string, unknown>) };
  }

  it('an edited entry', async () => {
    const { journal, rows, parsed } = await chain();
    rows[2] = JSON.stringify({ ...parsed[2], price: 1 });
    expect((await journal.verify())[0]).toMatchObject({ ok: false, bridge: 'b1', seq: 3, reason: expect.stringMatching(/edited/) });
  });

  it('a deleted entry', async () => {
    const { journal, rows } = await chain();
    rows.splice(1, 1);
    expect((await journal.verify())[0]).toMatchObject({ ok: false, seq: 2 });
  });

  it('two entries swapped', async () => {
    const { journal, rows } = await chain();
    [rows[1], rows[3]] = [rows[3]!, rows[1]!];
    expect((await journal.verify())[0]).toMatchObject({ ok: false, seq: 2 });
  });

  it('an entry appended by hand without a hash', async () => {
    const { journal, rows, parsed } = await chain();
    const { hash: _h, ...last } = parsed[4]!;
    rows.push(JSON.stringify({ ...last, seq: 6, prev: parsed[4]!.hash }));
    expect((await journal.verify())[0]).toMatchObject({ ok: false, seq: 6, reason: expect.stringMatching(/no hash/) });
  });

  it('an entry inserted with a recomputed hash still breaks the chain after it', async () => {
    const { journal, rows, parsed } = await chain();
    const forged = { ...parsed[1]!, price: 2 };
    rows[1] = JSON.stringify({ ...forged, hash: hashEntry(forged) });
    expect((await journal.verify())[0]).toMatchObject({ ok: false, seq: 3, reason: expect.stringMatching(/prev/) });
  });
});
