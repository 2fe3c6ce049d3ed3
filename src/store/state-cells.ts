import type { Fence } from './bridge-lease.js';
import type { StoreBackend } from './create-store.js';
import { redisLeaseKey } from './lease-cells.js';
import { redisScript, type ScriptClient } from './redis-script.js';
import type { Execute, Query } from './sqlite-database.js';

/** ok: written; fenced: the lease names another holder or epoch; forgotten: the lease record is gone. */
export type PutResult = 'ok' | 'fenced' | 'forgotten';

/**
 * Each bridge's state document, outside Keyv: a write must be conditional on the lease record
 * in the same atomic step (one Lua script, one SQL statement, one synchronous step in memory),
 * which Keyv cannot express.
 */
export interface StateCells {
  get(bridgeId: string): Promise<string | undefined>;
  put(bridgeId: string, doc: string, fence: Fence | undefined): Promise<PutResult>;
}

export function stateCells(backend: StoreBackend): StateCells {
  if (backend.kind === 'memory') return memoryStateCells(backend.map);
  if (backend.kind === 'sqlite') return sqliteStateCells(backend.query, backend.execute);
  return redisStateCells(backend.client);
}

/** Whether `lease` (the record's text, undefined when absent) names the fence's holder at its epoch. */
export const fenceMatches = (lease: string | undefined, fence: Fence): PutResult => {
  if (lease === undefined) return 'forgotten';
  const holder = JSON.parse(lease) as { instance?: string; epoch?: number };
  return holder.instance === fence.instance && holder.epoch === fence.epoch ? 'ok' : 'fenced';
};

function memoryStateCells(map: Map<string, string>): StateCells {
  return {
    get: async (bridgeId) => map.get(`state:${bridgeId}`),
    async put(bridgeId, doc, fence) {
      // Check and write in one synchronous step: nothing can run in between.
      const verdict = fence ? fenceMatches(map.get(fence.key), fence) : 'ok';
      if (verdict === 'ok') map.set(`state:${bridgeId}`, doc);
      return verdict;
    },
  };
}

const LEASES = 'CREATE TABLE IF NOT EXISTS signal_bridge_leases (key TEXT PRIMARY KEY, value TEXT NOT NULL)';
const STATES = 'CREATE TABLE IF NOT EXISTS signal_bridge_state (bridge TEXT PRIMARY KEY, doc TEXT NOT NULL)';
const UPSERT = 'INSERT INTO signal_bridge_state (bridge, doc) VALUES (?, ?) ON CONFLICT(bridge) DO UPDATE SET doc = excluded.doc';
// One statement: SQLite runs it atomically against the lease row it reads.
const FENCED_UPSERT =
  'INSERT INTO signal_bridge_state (bridge, doc) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM signal_bridge_leases WHERE key = ? ' +
  "AND json_extract(value, '$.instance') = ? AND json_extract(value, '$.epoch') = ?) ON CONFLICT(bridge) DO UPDATE SET doc = excluded.doc";

function sqliteStateCells(query: Query, execute: Execute): StateCells {
  const ready = query(LEASES).then(() => query(STATES));
  return {
    async get(bridgeId) {
      await ready;
      const rows = (await query('SELECT doc FROM signal_bridge_state WHERE bridge = ?', bridgeId)) as { doc: string }[];
      return rows[0]?.doc;
    },
    async put(bridgeId, doc, fence) {
      await ready;
      if (!fence) {
        await execute(UPSERT, bridgeId, doc);
        return 'ok';
      }
      // A row changed (inserted or updated) only when the lease matched.
      if ((await execute(FENCED_UPSERT, bridgeId, doc, fence.key, fence.instance, fence.epoch)) > 0) return 'ok';
      // Refused: say why (this read is for the message only; the refusal itself was atomic).
      const lease = (await query('SELECT value FROM signal_bridge_leases WHERE key = ?', fence.key)) as { value: string }[];
      return lease[0] ? 'fenced' : 'forgotten';
    },
  };
}

const FENCED_SET = redisScript(`
local lease = redis.call('GET', KEYS[1])
if not lease then return 0 end
local holder = cjson.decode(lease)
if holder.instance ~= ARGV[2] or holder.epoch ~= tonumber(ARGV[3]) then return -1 end
redis.call('SET', KEYS[2], ARGV[1])
return 1`);

interface RedisLike extends ScriptClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

function redisStateCells(connect: () => Promise<unknown>): StateCells {
  const client = async () => (await connect()) as RedisLike;
  const k = (bridgeId: string) => `signal-bridge:state:${bridgeId}`;
  return {
    get: async (bridgeId) => (await (await client()).get(k(bridgeId))) ?? undefined,
    async put(bridgeId, doc, fence) {
      if (!fence) {
        await (await client()).set(k(bridgeId), doc);
        return 'ok';
      }
      const answer = Number(await FENCED_SET.run(await client(), { keys: [redisLeaseKey(fence.key), k(bridgeId)], arguments: [doc, fence.instance, String(fence.epoch)] }));
      return answer === 1 ? 'ok' : answer === 0 ? 'forgotten' : 'fenced';
    },
  };
}
