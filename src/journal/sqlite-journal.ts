import type { Fence } from '../store/bridge-lease.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import type { JournalEntry } from './events.js';
import { fenceRefusal, JournalConflictError, parseStored, type JournalBackend } from './journal-backend.js';

interface Row {
  seq: number;
  entry: string;
}

const COLUMNS = 'INSERT INTO journal (bridge, seq, time, type, hash, entry)';
const rowsOf = (count: number) => `VALUES ${Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}`;
const insert = (count: number) => `${COLUMNS} ${rowsOf(count)}`;
// One statement: SQLite runs it atomically against the lease row it reads (the state's writes do the same).
const fencedInsert = (count: number) =>
  `${COLUMNS} SELECT * FROM (${rowsOf(count)}) WHERE EXISTS (SELECT 1 FROM signal_bridge_leases WHERE key = ? ` +
  "AND json_extract(value, '$.instance') = ? AND json_extract(value, '$.epoch') = ?)";
const isDuplicate = (error: unknown) => /UNIQUE|PRIMARY KEY/i.test((error as Error).message);

/**
 * sqlite://: a table of its own beside Keyv's, keyed by (bridge, seq) and indexed by time. The
 * whole entry is stored as JSON text; the columns beside it are for look-ups, and verify checks
 * that they agree with it.
 */
export async function sqliteJournal({ query, execute }: Pick<SqliteDatabase, 'query' | 'execute'>): Promise<JournalBackend> {
  await query(`CREATE TABLE IF NOT EXISTS journal (
    bridge TEXT NOT NULL, seq INTEGER NOT NULL, time TEXT NOT NULL, type TEXT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (bridge, seq))`);
  await query('CREATE INDEX IF NOT EXISTS journal_time ON journal (bridge, time)');
  await query('CREATE TABLE IF NOT EXISTS signal_bridge_leases (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  /** One statement for all of `entries`: all stored, or none (a duplicate throws; a fence refusal throws why). */
  const insertAll = async (entries: readonly JournalEntry[], fence: Fence | undefined): Promise<void> => {
    const params = entries.flatMap((e) => [e.bridge, e.seq, e.time, e.type, e.hash, JSON.stringify(e)]);
    if (!fence) {
      await execute(insert(entries.length), ...params);
      return;
    }
    if ((await execute(fencedInsert(entries.length), ...params, fence.key, fence.instance, fence.epoch)) > 0) return;
    // Refused: say why (this read is for the message only; the refusal itself was atomic).
    const lease = await query('SELECT 1 FROM signal_bridge_leases WHERE key = ?', fence.key);
    throw fenceRefusal(lease.length > 0 ? 'fenced' : 'forgotten', entries[0]!, fence);
  };
  return {
    async append(entries, fence) {
      if (entries.length === 0) return;
      try {
        await insertAll(entries, fence);
      } catch (error) {
        if (!isDuplicate(error)) throw error;
        // Stored already, all or some (a write retried after a lost reply): each is checked on its own.
        for (const entry of entries) {
          try {
            await insertAll([entry], fence);
          } catch (again) {
            if (!isDuplicate(again)) throw again;
            const [stored] = (await query('SELECT hash FROM journal WHERE bridge = ? AND seq = ?', entry.bridge, entry.seq)) as { hash: string }[];
            if (stored?.hash !== entry.hash) throw new JournalConflictError(entry.bridge, entry.seq);
          }
        }
      }
    },
    async last(bridge) {
      const [row] = (await query('SELECT entry FROM journal WHERE bridge = ? ORDER BY seq DESC LIMIT 1', bridge)) as Row[];
      return row ? parseStored(row.entry) : undefined;
    },
    async read(bridge, fromSeq = 0) {
      const rows = (await query('SELECT seq, entry FROM journal WHERE bridge = ? AND seq >= ? ORDER BY seq', bridge, fromSeq)) as Row[];
      return rows.map((row) => ({ seq: Number(row.seq), entry: parseStored(row.entry) }));
    },
    async bridges() {
      const rows = (await query('SELECT DISTINCT bridge FROM journal ORDER BY bridge')) as { bridge: string }[];
      return rows.map((row) => row.bridge);
    },
    async dropUpTo(bridge, seq) {
      await query('DELETE FROM journal WHERE bridge = ? AND seq <= ?', bridge, seq);
    },
  };
}
