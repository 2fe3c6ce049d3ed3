import type { RedisClientConnectionType } from '@keyv/redis';
import { redisLeaseKey } from '../store/lease-cells.js';
import { fenceRefusal, JournalConflictError, parseStored, type JournalBackend } from './journal-backend.js';

const PREFIX = 'signal-bridge:journal';
const BRIDGES = `${PREFIX}:bridges`;
const streamOf = (bridge: string) => `${PREFIX}:${bridge}`;

// The lease check and the XADD in one script, so that no take-over can fall between them. XADD's
// own refusal (an ID not above the stream's last) comes back as a reply, not a script error.
const FENCED_XADD = `
local lease = redis.call('GET', KEYS[1])
if not lease then return 'forgotten' end
local holder = cjson.decode(lease)
if holder.instance ~= ARGV[3] or holder.epoch ~= tonumber(ARGV[4]) then return 'fenced' end
local added = redis.pcall('XADD', KEYS[2], ARGV[1], 'entry', ARGV[2])
if type(added) == 'table' and added.err then return 'error ' .. added.err end
redis.call('SADD', KEYS[3], ARGV[5])
return 'ok'`;

/**
 * redis://: a stream per bridge. Each entry's stream ID is `<seq>-1`, so Redis itself refuses
 * an entry out of order or twice (XADD needs a greater ID), and a write retried after a lost
 * reply is recognised instead of duplicated.
 */
export function redisJournal(client: () => Promise<RedisClientConnectionType>): JournalBackend {
  const idOf = (seq: number) => `${seq}-1`;
  const seqOf = (id: string) => Number(id.split('-')[0]);
  return {
    async append(entry, fence) {
      const redis = await client();
      const text = JSON.stringify(entry);
      let refusal: string | undefined;
      if (fence) {
        const answer = String(await redis.eval(FENCED_XADD, { keys: [redisLeaseKey(fence.key), streamOf(entry.bridge), BRIDGES], arguments: [idOf(entry.seq), text, fence.instance, String(fence.epoch), entry.bridge] }));
        if (answer === 'fenced' || answer === 'forgotten') throw fenceRefusal(answer, entry, fence);
        if (answer === 'ok') return;
        refusal = answer.replace(/^error /, '');
      } else {
        try {
          await redis.xAdd(streamOf(entry.bridge), idOf(entry.seq), { entry: text });
        } catch (error) {
          refusal = (error as Error).message;
        }
      }
      if (refusal !== undefined) {
        if (!/equal or smaller/i.test(refusal)) throw new Error(refusal);
        const [stored] = await redis.xRange(streamOf(entry.bridge), idOf(entry.seq), idOf(entry.seq));
        if (!stored || parseStored(stored.message.entry ?? '')?.hash !== entry.hash) throw new JournalConflictError(entry.bridge, entry.seq);
      }
      await redis.sAdd(BRIDGES, entry.bridge);
    },
    async last(bridge) {
      const [stored] = await (await client()).xRevRange(streamOf(bridge), '+', '-', { COUNT: 1 });
      return stored ? parseStored(stored.message.entry ?? '') : undefined;
    },
    async read(bridge, fromSeq = 0) {
      const out: { seq: number; entry: Record<string, unknown> | undefined }[] = [];
      const redis = await client();
      let start = fromSeq > 0 ? idOf(fromSeq) : '-';
      for (;;) {
        const page = await redis.xRange(streamOf(bridge), start, '+', { COUNT: 1000 });
        for (const item of page) out.push({ seq: seqOf(item.id), entry: parseStored(item.message.entry ?? '') });
        if (page.length < 1000) return out;
        start = `(${page[page.length - 1]!.id}`;
      }
    },
    async bridges() {
      return (await (await client()).sMembers(BRIDGES)).sort();
    },
    async dropUpTo(bridge, seq) {
      await (await client()).xTrim(streamOf(bridge), 'MINID', idOf(seq + 1));
    },
  };
}
