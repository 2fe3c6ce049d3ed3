import type KeyvRedis from '@keyv/redis';
import type KeyvSqlite from '@keyv/sqlite';

/**
 * The few atomic operations a lease needs, which Keyv does not offer: set-if-absent and
 * compare-and-set. Values are opaque strings; their expiry is the caller's business (the record
 * says until when it holds). No store expires them: a lease record keeps its epoch for the next
 * holder, and one that vanished means the store lost its data.
 */
export interface LeaseCells {
  get(key: string): Promise<string | undefined>;
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  compareAndSet(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  compareAndDelete(key: string, expected: string): Promise<boolean>;
}

export function memoryLeaseCells(cells: Map<string, string>): LeaseCells {
  return {
    get: async (key) => cells.get(key),
    async setIfAbsent(key, value) {
      if (cells.has(key)) return false;
      cells.set(key, value);
      return true;
    },
    async compareAndSet(key, expected, value) {
      if (cells.get(key) !== expected) return false;
      cells.set(key, value);
      return true;
    },
    async compareAndDelete(key, expected) {
      return cells.get(key) === expected && cells.delete(key);
    },
  };
}

/**
 * SQLite serialises writers, so a conditional write followed by a read of the row tells who
 * won: every holder writes a value no other holder can write.
 */
export function sqliteLeaseCells(adapter: KeyvSqlite): LeaseCells {
  const ready = adapter.query('CREATE TABLE IF NOT EXISTS signal_bridge_leases (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const read = async (key: string): Promise<string | undefined> => {
    await ready;
    const rows = (await adapter.query('SELECT value FROM signal_bridge_leases WHERE key = ?', key)) as { value: string }[];
    return rows[0]?.value;
  };
  return {
    get: read,
    async setIfAbsent(key, value) {
      await ready;
      await adapter.query('INSERT OR IGNORE INTO signal_bridge_leases (key, value) VALUES (?, ?)', key, value);
      return (await read(key)) === value;
    },
    async compareAndSet(key, expected, value) {
      await ready;
      await adapter.query('UPDATE signal_bridge_leases SET value = ? WHERE key = ? AND value = ?', value, key, expected);
      return (await read(key)) === value;
    },
    async compareAndDelete(key, expected) {
      await ready;
      const before = await read(key);
      if (before !== expected) return false;
      await adapter.query('DELETE FROM signal_bridge_leases WHERE key = ? AND value = ?', key, expected);
      return true;
    },
  };
}

const SET_IF_ABSENT = "return redis.call('SET', KEYS[1], ARGV[1], 'NX')";
const COMPARE_AND_SET = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2]) end return false";
const COMPARE_AND_DELETE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Where a lease cell lives on Redis. */
export const redisLeaseKey = (key: string) => `signal-bridge:lease:${key}`;

/** Redis: each operation is one Lua script, atomic on the server. */
export function redisLeaseCells(adapter: KeyvRedis<unknown>): LeaseCells {
  const client = async () => (await adapter.getClient()) as unknown as {
    get(key: string): Promise<string | null>;
    eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  };
  const k = redisLeaseKey;
  return {
    get: async (key) => (await (await client()).get(k(key))) ?? undefined,
    async setIfAbsent(key, value) {
      return (await (await client()).eval(SET_IF_ABSENT, { keys: [k(key)], arguments: [value] })) === 'OK';
    },
    async compareAndSet(key, expected, value) {
      return (await (await client()).eval(COMPARE_AND_SET, { keys: [k(key)], arguments: [expected, value] })) === 'OK';
    },
    async compareAndDelete(key, expected) {
      return Number(await (await client()).eval(COMPARE_AND_DELETE, { keys: [k(key)], arguments: [expected] })) === 1;
    },
  };
}
