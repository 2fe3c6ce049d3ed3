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
  // Each bridge's last stored entry, so that an append checks its seq without parsing the chain
  // (and without an index of every entry: at 10,000 bridges that index outweighed the state).
  const heads = new Map<string, { rows: number; seq: number }>();
  const rows = (bridge: string) => raw.get(bridge) ?? [];
  const headOf = (bridge: string) => {
    const list = rows(bridge);
    let head = heads.get(bridge);
    // Read again when a test tampered with the raw text (or dropped entries): the text is the truth.
    if (!head || head.rows !== list.length) {
      const last = list.length > 0 ? parseStored(list[list.length - 1]!) : undefined;
      head = { rows: list.length, seq: typeof last?.seq === 'number' ? last.seq : 0 };
      heads.set(bridge, head);
    }
    return head;
  };
  // A retried append of an entry already stored: rare, so the chain is searched.
  const storedHash = (bridge: string, seq: number) => {
    for (const text of rows(bridge)) {
      const entry = parseStored(text);
      if (entry?.seq === seq) return String(entry.hash);
    }
    return undefined;
  };
  return {
    raw,
    async append(entries, fence) {
      // One synchronous step: the fence is checked once for the whole batch.
      const first = entries[0];
      if (!first) return;
      const verdict = fence ? fenceMatches(leases.get(fence.key), fence) : 'ok';
      if (fence && verdict !== 'ok') throw fenceRefusal(verdict, first, fence);
      for (const entry of entries) {
        const head = headOf(entry.bridge);
        const existing = entry.seq <= head.seq ? storedHash(entry.bridge, entry.seq) : undefined;
        if (existing !== undefined) {
          if (existing === entry.hash) continue;
          throw new JournalConflictError(entry.bridge, entry.seq);
        }
        const text = JSON.stringify(entry);
        const list = raw.get(entry.bridge);
        if (list) list.push(text);
        else raw.set(entry.bridge, [text]);
        heads.set(entry.bridge, { rows: head.rows + 1, seq: Math.max(head.seq, entry.seq) });
      }
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
