import type { JournalEntry } from './events.js';

/** One stored entry as read back: where the storage keeps it, and what it holds (not trusted). */
export interface StoredEntry {
  /** The entry's place according to the storage (SQLite column, stream ID, array index). */
  readonly seq: number;
  /** The stored entry, parsed; `undefined` when it is not even JSON. */
  readonly entry: Record<string, unknown> | undefined;
}

/** Where a journal keeps its entries: a table, a stream per bridge or an array. Knows no chain. */
export interface JournalBackend {
  /**
   * Stores the entry after the bridge's last one. An entry already stored with the same
   * (bridge, seq) and the same hash counts as stored, so a write retried after a lost reply
   * never duplicates; one with another hash is refused.
   */
  append(entry: JournalEntry): Promise<void>;
  /** The bridge's last stored entry (its chain's head), unchecked. */
  last(bridge: string): Promise<Record<string, unknown> | undefined>;
  /** The bridge's entries in storage order, from `fromSeq` on. */
  read(bridge: string, fromSeq?: number): Promise<StoredEntry[]>;
  bridges(): Promise<string[]>;
  /** Drops the bridge's entries up to and including `seq` (retention, after they were exported). */
  dropUpTo(bridge: string, seq: number): Promise<void>;
}

export class JournalConflictError extends Error {
  constructor(bridge: string, seq: number) {
    super(`journal: bridge ${bridge} already has a different entry ${seq} (another writer?)`);
    this.name = 'JournalConflictError';
  }
}

export function parseStored(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
