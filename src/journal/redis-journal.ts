import type { RedisClientConnectionType } from '@keyv/redis';
import { JournalConflictError, parseStored, type JournalBackend } from './journal-backend.js';

const PREFIX = 'signal-bridge:journal';
const BRIDGES = `${PREFIX}:bridges`;
const streamOf = (bridge: string) => `${PREFIX}:${bridge}`;

/**
 * redis://: a stream per bridge. Each entry's stream ID is `<seq>-1`, so Redis itself refuses
 * an entry out of order or twice (XADD needs a greater ID), and a write retried after a lost
 * reply is recognised instead of duplicated.
 */
export function redisJournal(client: () => Promise<RedisClientConnectionType>): JournalBackend {
  const idOf = (seq: number) => `${seq}-1`;
  const seqOf = (id: string) => Number(id.split('-')[0]);
  return {
    async append(entry) {
      const redis = await client();
      try {
        await redis.xAdd(streamOf(entry.bridge), idOf(entry.seq), { entry: JSON.stringify(entry) });
      } catch (error) {
        if (!/equal or smaller/i.test((error as Error).message)) throw error;
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
