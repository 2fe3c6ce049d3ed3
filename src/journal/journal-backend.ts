import type { Fence } from '../store/bridge-lease.js';
import { FenceError } from '../store/fence-error.js';
import { StoreForgotError } from '../store/store-forgot-error.js';
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
   * Stores `entries` (one bridge's, consecutive seqs, in order) after the bridge's last one, in one
   * call: a tick's events are a handful, and at thousands of bridges one write each was most of a
   * moment's store traffic. An entry already stored with the same (bridge, seq) and the same hash
   * counts as stored, so a write retried after a lost reply never duplicates; one with another
   * hash is refused. With a fence, the entries are stored only while the bridge's lease record
   * names that holder at that epoch, checked in the same atomic step as the write (as the state's
   * writes are): FenceError once another process holds the bridge, StoreForgotError when the
   * lease record is gone.
   */
  append(entries: readonly JournalEntry[], fence?: Fence): Promise<void>;
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

/** The error of an append its fence refused: the same words whichever storage refused it. */
export function fenceRefusal(verdict: 'fenced' | 'forgotten', entry: JournalEntry, fence: Fence): Error {
  return verdict === 'fenced'
    ? new FenceError(`journal: bridge ${entry.bridge}: another process holds its lease now (epoch ${fence.epoch} is stale); entry ${entry.seq} was not written`)
    : new StoreForgotError(`journal: bridge ${entry.bridge}: its lease record is gone (the store lost its data); entry ${entry.seq} was not written`);
}
