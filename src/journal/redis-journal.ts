import type { RedisClientConnectionType } from '@keyv/redis';
import { redisLeaseKey } from '../store/lease-cells.js';
import { redisScript } from '../store/redis-script.js';
import { fenceRefusal, JournalConflictError, parseStored, type JournalBackend } from './journal-backend.js';

const PREFIX = 'signal-bridge:journal';
const BRIDGES = `${PREFIX}:bridges`;
const streamOf = (bridge: string) => `${PREFIX}:${bridge}`;

// The lease check and the XADDs in one script, so that no take-over can fall between them. An
// entry whose ID is taken is compared by hash with the one stored there: the same entry (a write
// retried after a lost reply) counts as stored, another is a conflict. ARGV: instance and epoch
// ('' for an unfenced write), the bridge, then an ID, a text and a hash per entry.
const APPEND = redisScript(`
if ARGV[1] ~= '' then
  local lease = redis.call('GET', KEYS[1])
  if not lease then return 'forgotten' end
  local holder = cjson.decode(lease)
  if holder.instance ~= ARGV[1] or holder.epoch ~= tonumber(ARGV[2]) then return 'fenced' end
end
for i = 4, #ARGV, 3 do
  local added = redis.pcall('XADD', KEYS[2], ARGV[i], 'entry', ARGV[i + 1])
  if type(added) == 'table' and added.err then
    if not string.find(added.err, 'equal or smaller') then return 'error ' .. added.err end
    local stored = redis.call('XRANGE', KEYS[2], ARGV[i], ARGV[i])[1]
    local ok, entry = pcall(cjson.decode, stored and stored[2][2] or '')
    if not ok or type(entry) ~= 'table' or entry.hash ~= ARGV[i + 2] then return 'conflict ' .. ARGV[i] end
  end
end
redis.call('SADD', KEYS[3], ARGV[3])
return 'ok'`);

/**
 * redis://: a stream per bridge. Each entry's stream ID is `<seq>-1`, so Redis itself refuses
 * an entry out of order or twice (XADD needs a greater ID), and a write retried after a lost
 * reply is recognised instead of duplicated.
 */
export function redisJournal(client: () => Promise<RedisClientConnectionType>): JournalBackend {
  const idOf = (seq: number) => `${seq}-1`;
  const seqOf = (id: string) => Number(id.split('-')[0]);
  return {
    async append(entries, fence) {
      const first = entries[0];
      if (!first) return;
      const args = [fence?.instance ?? '', fence ? String(fence.epoch) : '', first.bridge];
      for (const entry of entries) args.push(idOf(entry.seq), JSON.stringify(entry), entry.hash);
      // Without a fence the lease key is not read; it is named all the same, as a script's keys must be.
      const lease = redisLeaseKey(fence?.key ?? `journal:${first.bridge}`);
      const answer = String(await APPEND.run(await client(), { keys: [lease, streamOf(first.bridge), BRIDGES], arguments: args }));
      if (answer === 'ok') return;
      if (fence && (answer === 'fenced' || answer === 'forgotten')) throw fenceRefusal(answer, first, fence);
      if (answer.startsWith('conflict ')) throw new JournalConflictError(first.bridge, seqOf(answer.slice('conflict '.length)));
      throw new Error(answer.replace(/^error /, ''));
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
