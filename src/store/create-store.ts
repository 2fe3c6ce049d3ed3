import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RedisClientConnectionType } from '@keyv/redis';
import Keyv from 'keyv';
import { memoryLeaseCells, redisLeaseCells, sqliteLeaseCells, type LeaseCells } from './lease-cells.js';
import { StoreError } from './store-error.js';

export interface Store {
  readonly kind: 'memory' | 'sqlite' | 'redis';
  /** For messages: the URL without any password. */
  readonly where: string;
  readonly keyv: Keyv;
  /** Atomic cells for the one-writer lease. */
  readonly cells: LeaseCells;
  /** The database underneath, for what Keyv cannot do (conditional writes, tables, streams). */
  readonly backend: StoreBackend;
  close(): Promise<void>;
}

/** Minimal raw access per kind: SQL on SQLite, the node-redis client on Redis. */
export type StoreBackend =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly query: (sql: string, ...params: unknown[]) => Promise<unknown[]> }
  | { readonly kind: 'redis'; readonly client: () => Promise<RedisClientConnectionType> };

const CONNECT_TIMEOUT_MS = 3_000;

/**
 * memory://, sqlite://path (file and folder made on first use) or redis://host:port.
 * Errors are thrown, not swallowed: Keyv's default of answering `undefined` on a failure would
 * read as "no trade tracked" and let the bridge open a second one.
 */
export async function createStore(url: string): Promise<Store> {
  const where = url.replace(/\/\/[^@/]*@/, '//');
  let store: Store;
  if (url === 'memory://' || url.startsWith('memory:')) {
    store = { kind: 'memory', where, keyv: new Keyv({ throwOnErrors: true }), cells: memoryLeaseCells(), backend: { kind: 'memory' }, close: async () => {} };
  } else if (url.startsWith('sqlite://')) {
    const file = path.resolve(url.slice('sqlite://'.length));
    mkdirSync(path.dirname(file), { recursive: true });
    // Loaded only for the store in use: the Redis client alone costs a command's start-up ~100 ms.
    const { default: KeyvSqlite } = await import('@keyv/sqlite');
    const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5_000 });
    const keyv = new Keyv({ store: adapter, throwOnErrors: true });
    store = { kind: 'sqlite', where: file, keyv, cells: sqliteLeaseCells(adapter), backend: { kind: 'sqlite', query: async (sql, ...params) => (await adapter.query(sql, ...params)) as unknown[] }, close: () => keyv.disconnect() };
  } else if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { default: KeyvRedis } = await import('@keyv/redis');
    const adapter = new KeyvRedis(
      // Without a bound the Redis client retries forever and the CLI hangs on a dead server.
      { url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: (retries: number) => (retries >= 3 ? false : 200) } },
      { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: CONNECT_TIMEOUT_MS, namespace: 'signal-bridge', keyPrefixSeparator: ':' },
    );
    const keyv = new Keyv({ store: adapter, throwOnErrors: true, useKeyPrefix: false, namespace: 'signal-bridge' });
    store = {
      kind: 'redis',
      where,
      keyv,
      cells: redisLeaseCells(adapter),
      backend: { kind: 'redis', client: () => adapter.getClient() },
      async close() {
        await keyv.disconnect().catch(() => {});
      },
    };
  } else {
    throw new StoreError(`BRIDGE_STORE: ${where} is not a supported store (use sqlite://path, redis://host:port or memory://)`);
  }
  store.keyv.on('error', () => {
    // Errors reach the caller as rejections (throwOnErrors); the event would otherwise crash the process.
  });
  await probe(store);
  return store;
}

async function probe(store: Store): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.keyv.get('probe'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    await store.close().catch(() => {});
    throw new StoreError(`BRIDGE_STORE: cannot reach ${store.where}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
