import { fenceMatches } from '../store/state-cells.js';
import { fenceRefusal, JournalConflictError, parseStored, type JournalBackend } from './journal-backend.js';

/** The raw text of each entry, per bridge: tests tamper with it as one would with a file. */
export interface MemoryJournal extends JournalBackend {
  readonly raw: Map<string, string[]>;
}

/**
 * memory://: entries live as long as the journal object (tests, the demo). Stored as text, as the
 * other backends do. `leases` is the memory store's map, where its lease records live: a fenced
 * append checks it and writes in one synchronous step.
 */
export function memoryJournal(leases: ReadonlyMap<string, string> = new Map()): MemoryJournal {
  const raw = new Map<string, string[]>();
  // Each bridge's stored seq -> hash, so that an append checks its seq without parsing the whole chain.
  const stored = new Map<string, Map<number, string>>();
  const rows = (bridge: string) => raw.get(bridge) ?? [];
  const seqs = (bridge: string) => {
    let index = stored.get(bridge);
    const list = rows(bridge);
    // Rebuilt when a test tampered with the raw text (or dropped entries): the text is the truth.
    if (!index || index.size !== list.length) {
      index = new Map();
      for (const text of list) {
        const entry = parseStored(text);
        if (typeof entry?.seq === 'number') index.set(entry.seq, String(entry.hash));
      }
      stored.set(bridge, index);
    }
    return index;
  };
  return {
    raw,
    async append(entry, fence) {
      const verdict = fence ? fenceMatches(leases.get(fence.key), fence) : 'ok';
      if (fence && verdict !== 'ok') throw fenceRefusal(verdict, entry, fence);
      const index = seqs(entry.bridge);
      const existing = index.get(entry.seq);
      if (existing !== undefined) {
        if (existing === entry.hash) return;
        throw new JournalConflictError(entry.bridge, entry.seq);
      }
      const list = raw.get(entry.bridge);
      if (list) list.push(JSON.stringify(entry));
      else raw.set(entry.bridge, [JSON.stringify(entry)]);
      index.set(entry.seq, entry.hash);
    },
    async last(bridge) {
      const list = rows(bridge);
      return list.length > 0 ? parseStored(list[list.length - 1]!) : undefined;
    },
    async read(bridge, fromSeq = 0) {
      return rows(bridge)
        .map((text, index) => {
          const entry = parseStored(text);
          return { seq: typeof entry?.seq === 'number' ? entry.seq : index + 1, entry };
        })
        .filter((s) => s.seq >= fromSeq);
    },
    async bridges() {
      return [...raw.keys()].sort();
    },
    async dropUpTo(bridge, seq) {
      raw.set(bridge, rows(bridge).filter((text) => Number(parseStored(text)?.seq) > seq));
    },
  };
}
