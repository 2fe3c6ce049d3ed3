import { setTimeout as sleep } from 'node:timers/promises';
import type { Fence } from '../store/bridge-lease.js';
import type { Store } from '../store/create-store.js';
import { FenceError } from '../store/fence-error.js';
import { StoreForgotError } from '../store/store-forgot-error.js';
import { parseEvent, type JournalEntry, type JournalEvent } from './events.js';
import { GENESIS, hashEntry } from './hash-entry.js';
import type { JournalBackend } from './journal-backend.js';
import type { ChainCheck } from './verify-chain.js';

export interface Journal {
  /**
   * Appends `event` to the bridge's chain. Appends of one bridge run one after another (the
   * lease makes this process the only writer); a failed write is retried with the very same
   * entry, so that it is stored once or not at all, and the error is thrown after the last try.
   * A bridge with a lease (see `leaseOf`) is written only while that lease is ours, checked by the
   * store in the same atomic step as the write: FenceError (not retried) once it is not.
   */
  append(bridge: string, event: JournalEvent): Promise<JournalEntry>;
  /** Entries as stored (oldest first), optionally of one bridge and from a time on. */
  entries(options?: { bridge?: string; since?: Date }): Promise<JournalEntry[]>;
  bridges(): Promise<string[]>;
  verify(bridge?: string): Promise<ChainCheck[]>;
  /** The next append of `bridge` reads its head from the store again: another process wrote since (a fleet hand-over). */
  resync(bridge: string): void;
  readonly backend: JournalBackend;
}

export interface JournalOptions {
  readonly now?: () => number;
  /** Tries of one write before it counts as failed. */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  /**
   * The lease of a bridge, when this process writes for it under one: every append then presents
   * its fence. A bridge without one (a dry run, a command that takes no lease) is written unfenced.
   */
  readonly leaseOf?: (bridge: string) => { fence(): Fence | undefined } | undefined;
}

/** The journal on the store's own database: a table on SQLite, a stream per bridge on Redis, an array on memory. */
export async function createJournal(store: Store, options: JournalOptions = {}): Promise<Journal> {
  // Only the backend of the store in use is loaded: every command opens a journal, at start-up.
  const { backend: db } = store;
  const backend =
    db.kind === 'sqlite'
      ? await (await import('./sqlite-journal.js')).sqliteJournal(db)
      : db.kind === 'redis'
        ? (await import('./redis-journal.js')).redisJournal(db.client)
        : (await import('./memory-journal.js')).memoryJournal(db.map);
  return journalOn(backend, options);
}

/** An event waiting for its bridge's next write, and its caller. */
interface Waiting {
  readonly event: JournalEvent;
  resolve(entry: JournalEntry): void;
  reject(error: unknown): void;
}

/** Events of one bridge written together at most: a store slow for a while sends no giant write after it. */
const MAX_BATCH = 64;

export function journalOn(backend: JournalBackend, options: JournalOptions = {}): Journal {
  const now = options.now ?? Date.now;
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const heads = new Map<string, { seq: number; hash: string }>();
  const queues = new Map<string, Promise<unknown>>();
  const batches = new Map<string, Waiting[]>();

  async function head(bridge: string): Promise<{ seq: number; hash: string }> {
    const known = heads.get(bridge);
    if (known) return known;
    const last = await backend.last(bridge);
    return last ? { seq: Number(last.seq), hash: String(last.hash) } : { seq: 0, hash: GENESIS };
  }

  /** Writes `events` as consecutive entries in one backend call; all are stored, or none is returned. */
  async function write(bridge: string, events: readonly JournalEvent[]): Promise<JournalEntry[]> {
    let lastError: unknown;
    let entries: JournalEntry[] | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        if (!entries) {
          let { seq, hash } = await head(bridge);
          const time = new Date(now()).toISOString();
          entries = events.map((event) => {
            const body = { ...event, bridge, seq: (seq += 1), time, prev: hash };
            hash = hashEntry(body);
            return { ...body, hash } as JournalEntry;
          });
        }
        const lease = options.leaseOf?.(bridge);
        const fence = lease?.fence();
        if (lease && !fence) throw new FenceError(`journal: bridge ${bridge}: this process no longer holds its lease; the entry was not written`);
        await backend.append(entries, fence);
        const last = entries[entries.length - 1]!;
        heads.set(bridge, { seq: last.seq, hash: last.hash });
        return entries;
      } catch (error) {
        lastError = error;
        // Not ours to write: asking again changes nothing, and the head is the new holder's now.
        if (error instanceof FenceError || error instanceof StoreForgotError) {
          heads.delete(bridge);
          throw error;
        }
        // Whether a failed write landed is unknown: the head is read again before the next entry.
        heads.delete(bridge);
        if (attempt < attempts) await sleep(retryDelayMs * attempt);
      }
    }
    throw lastError;
  }

  /**
   * The events waiting for a bridge's write: appended while its previous write was in flight (or
   * in the same turn, as a tick's events are), they go out together in the next one.
   */
  function enqueue(bridge: string, event: JournalEvent): Promise<JournalEntry> {
    return new Promise((resolve, reject) => {
      const open = batches.get(bridge);
      if (open && open.length < MAX_BATCH) {
        open.push({ event, resolve, reject });
        return;
      }
      const batch: Waiting[] = [{ event, resolve, reject }];
      batches.set(bridge, batch);
      const start = () => {
        // From here on, new events wait for the next write.
        if (batches.get(bridge) === batch) batches.delete(bridge);
        return write(bridge, batch.map((w) => w.event)).then(
          (entries) => batch.forEach((w, i) => w.resolve(entries[i]!)),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        );
      };
      const run = (queues.get(bridge) ?? Promise.resolve()).then(start, start);
      queues.set(bridge, run);
      void run.then(() => {
        if (queues.get(bridge) === run) queues.delete(bridge);
      });
    });
  }

  return {
    backend,
    resync: (bridge) => void heads.delete(bridge),
    append: (bridge, event) => enqueue(bridge, parseEvent(event)),
    async entries({ bridge, since } = {}) {
      const out: JournalEntry[] = [];
      for (const id of bridge === undefined ? await backend.bridges() : [bridge]) {
        for (const { entry } of await backend.read(id)) {
          if (!entry) continue;
          if (since && !(Date.parse(String(entry.time)) >= since.getTime())) continue;
          out.push(entry as JournalEntry);
        }
      }
      return out;
    },
    bridges: () => backend.bridges(),
    async verify(bridge) {
      // Only `journal verify` asks: no other command loads the checker.
      const { verifyChain } = await import('./verify-chain.js');
      const ids = bridge === undefined ? await backend.bridges() : [bridge];
      return Promise.all(ids.map(async (id) => verifyChain(id, await backend.read(id))));
    },
  };
}
