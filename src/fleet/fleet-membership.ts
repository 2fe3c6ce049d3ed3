import { redisScript, type RedisScript, type ScriptClient } from '../store/redis-script.js';

/** What an instance announces of itself in its heartbeat. */
export interface FleetMember {
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
  /** The members this instance saw at its last round (a hash): a hand-over waits until both sides agree. */
  readonly view: string;
  /** How many bridges it held at its last round. */
  readonly holds: number;
  /** A hash of its bridges' ids: only instances with the same bridges share them out between themselves. */
  readonly config?: string;
  /** Stopping: it hands its bridges over and is left out of the shares. */
  readonly leaving?: boolean;
}

export interface FleetMembership {
  /** Renews this instance's heartbeat key and answers every live member (this one included). */
  heartbeat(me: FleetMember): Promise<FleetMember[]>;
  /** Every live member, without announcing this one (for status). */
  list(): Promise<FleetMember[]>;
  /** Removes this instance at once, so that the others need not wait for its key to expire. */
  leave(instance: string): Promise<void>;
}

// One set of instance ids per fleet, and one key per instance that expires unless renewed: the
// TTL'd key is the truth (Redis's clock decides, never ours), the set only makes it listable
// without SCAN. Each call is one script, so a listing never sees half a heartbeat.
const LIST_TEXT = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('GET', ARGV[1] .. id)
  if v then table.insert(out, v) else redis.call('SREM', KEYS[1], id) end
end
return out`;
const LIST = redisScript(LIST_TEXT);
const HEARTBEAT = redisScript(`
redis.call('SET', ARGV[1] .. ARGV[2], ARGV[3], 'PX', ARGV[4])
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
${LIST_TEXT}`);
const LEAVE = redisScript(`redis.call('DEL', ARGV[1] .. ARGV[2]) return redis.call('SREM', KEYS[1], ARGV[2])`);

export function createFleetMembership(options: { client: () => Promise<ScriptClient>; fleet: string; ttlMs: number }): FleetMembership {
  const base = `signal-bridge:fleet:${options.fleet}`;
  const set = `${base}:members`;
  const prefix = `${base}:member:`;
  const run = async (script: RedisScript, args: string[]) => script.run(await options.client(), { keys: [set], arguments: [prefix, ...args] });
  const parse = (reply: unknown) =>
    (Array.isArray(reply) ? reply : [])
      .map((text) => {
        try {
          return JSON.parse(String(text)) as FleetMember;
        } catch {
          return undefined;
        }
      })
      .filter((m): m is FleetMember => typeof m?.instance === 'string')
      .sort((a, b) => (a.instance < b.instance ? -1 : 1));
  return {
    async heartbeat(me) {
      return parse(await run(HEARTBEAT, [me.instance, JSON.stringify(me), String(options.ttlMs), String(100 * options.ttlMs)]));
    },
    list: async () => parse(await run(LIST, [])),
    async leave(instance) {
      await run(LEAVE, [instance]);
    },
  };
}
