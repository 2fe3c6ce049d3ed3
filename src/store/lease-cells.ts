import type KeyvRedis from '@keyv/redis';
import { redisScript, type ScriptClient } from './redis-script.js';
import type { SqliteDatabase } from './sqlite-database.js';

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
 * SQLite: each operation is one conditional statement, and the number of rows it changed says
 * whether it won (SQLite serialises writers, so no read-back is needed).
 */
export function sqliteLeaseCells({ query, execute }: Pick<SqliteDatabase, 'query' | 'execute'>): LeaseCells {
  const ready = query('CREATE TABLE IF NOT EXISTS signal_bridge_leases (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const changed = async (sql: string, ...params: unknown[]) => {
    await ready;
    return (await execute(sql, ...params)) > 0;
  };
  return {
    async get(key) {
      await ready;
      const rows = (await query('SELECT value FROM signal_bridge_leases WHERE key = ?', key)) as { value: string }[];
      return rows[0]?.value;
    },
    setIfAbsent: (key, value) => changed('INSERT INTO signal_bridge_leases (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING', key, value),
    compareAndSet: (key, expected, value) => changed('UPDATE signal_bridge_leases SET value = ? WHERE key = ? AND value = ?', value, key, expected),
    compareAndDelete: (key, expected) => changed('DELETE FROM signal_bridge_leases WHERE key = ? AND value = ?', key, expected),
  };
}

const SET_IF_ABSENT = redisScript("return redis.call('SET', KEYS[1], ARGV[1], 'NX')");
const COMPARE_AND_SET = redisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2]) end return false");
const COMPARE_AND_DELETE = redisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0");

/** Where a lease cell lives on Redis. */
export const redisLeaseKey = (key: string) => `signal-bridge:lease:${key}`;

/** Redis: each operation is one Lua script, atomic on the server. */
export function redisLeaseCells(adapter: KeyvRedis<unknown>): LeaseCells {
  const client = async () => (await adapter.getClient()) as unknown as ScriptClient & { get(key: string): Promise<string | null> };
  const k = redisLeaseKey;
  return {
    get: async (key) => (await (await client()).get(k(key))) ?? undefined,
    async setIfAbsent(key, value) {
      return (await SET_IF_ABSENT.run(await client(), { keys: [k(key)], arguments: [value] })) === 'OK';
    },
    async compareAndSet(key, expected, value) {
      return (await COMPARE_AND_SET.run(await client(), { keys: [k(key)], arguments: [expected, value] })) === 'OK';
    },
    async compareAndDelete(key, expected) {
      return Number(await COMPARE_AND_DELETE.run(await client(), { keys: [k(key)], arguments: [expected] })) === 1;
    },
  };
}
