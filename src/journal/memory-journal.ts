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
  const rows = (bridge: string) => raw.get(bridge) ?? [];
  return {
    raw,
    async append(entry, fence) {
      const verdict = fence ? fenceMatches(leases.get(fence.key), fence) : 'ok';
      if (fence && verdict !== 'ok') throw fenceRefusal(verdict, entry, fence);
      const list = rows(entry.bridge);
      const existing = list.find((text) => parseStored(text)?.seq === entry.seq);
      if (existing !== undefined) {
        if (parseStored(existing)?.hash === entry.hash) return;
        throw new JournalConflictError(entry.bridge, entry.seq);
      }
      raw.set(entry.bridge, [...list, JSON.stringify(entry)]);
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
