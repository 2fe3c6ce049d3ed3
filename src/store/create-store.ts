import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RedisClientConnectionType } from '@keyv/redis';
import Keyv from 'keyv';
import type { Execute, Query, SqliteDatabase } from './sqlite-database.js';
import { loadKeyvRedis } from './load-keyv-redis.js';
import { memoryLeaseCells, redisLeaseCells, sqliteLeaseCells, type LeaseCells } from './lease-cells.js';
import { stateCells, type StateCells } from './state-cells.js';
import { StoreError } from './store-error.js';

export interface Store {
  readonly kind: 'memory' | 'sqlite' | 'redis';
  /** For messages: the URL without any password. */
  readonly where: string;
  readonly keyv: Keyv;
  /** Atomic cells for the one-writer lease. */
  readonly cells: LeaseCells;
  /** Each bridge's state document, written only while the writer's lease is current (fenced). */
  readonly states: StateCells;
  /** The database underneath, for what Keyv cannot do (conditional writes, tables, streams). */
  readonly backend: StoreBackend;
  close(): Promise<void>;
}

/** Minimal raw access per kind: SQL on SQLite, the node-redis client on Redis. */
export type StoreBackend =
  | { readonly kind: 'memory'; readonly map: Map<string, string> }
  | { readonly kind: 'sqlite'; readonly query: Query; readonly execute: Execute }
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
  let probed = () => {};
  if (url === 'memory://' || url.startsWith('memory:')) {
    const backend = { kind: 'memory' as const, map: new Map<string, string>() };
    store = { kind: 'memory', where, keyv: new Keyv({ throwOnErrors: true }), cells: memoryLeaseCells(backend.map), states: stateCells(backend), backend, close: async () => {} };
  } else if (url.startsWith('sqlite://')) {
    const file = path.resolve(url.slice('sqlite://'.length));
    mkdirSync(path.dirname(file), { recursive: true });
    // Loaded only for the store in use: the Redis client alone costs a command's start-up ~100 ms.
    const [{ openSqliteDatabase }, { SqliteKeyv }] = await Promise.all([import('./sqlite-database.js'), import('./sqlite-keyv.js')]);
    let db: SqliteDatabase;
    try {
      db = openSqliteDatabase(file);
    } catch (error) {
      throw new StoreError(`BRIDGE_STORE: cannot reach ${file}: ${(error as Error).message}`);
    }
    const backend = { kind: 'sqlite' as const, query: db.query, execute: db.execute };
    const keyv = new Keyv({ store: new SqliteKeyv(db), throwOnErrors: true });
    store = { kind: 'sqlite', where: file, keyv, cells: sqliteLeaseCells(db), states: stateCells(backend), backend, close: () => db.close() };
  } else if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { default: KeyvRedis } = await loadKeyvRedis();
    let connected = false;
    const adapter = new KeyvRedis(
      {
        url,
        // A command while the connection is down fails at once (the tick fails closed) instead of waiting in a queue.
        disableOfflineQueue: true,
        socket: {
          connectTimeout: CONNECT_TIMEOUT_MS,
          // Never reached: give up soon, or the CLI hangs on a dead server. Reached once: keep
          // trying, since the daemon waits out an outage instead of exiting.
          reconnectStrategy: (retries: number) => (connected ? Math.min(100 * (retries + 1), 1_000) : retries >= 3 ? false : 200),
        },
      },
      // No connectionTimeout here: @keyv/redis races it with a timer it never clears, which kept every
      // command alive 3 s after its work. socket.connectTimeout and the probe below bound the connection.
      { throwOnConnectError: true, throwOnErrors: true, namespace: 'signal-bridge', keyPrefixSeparator: ':' },
    );
    const keyv = new Keyv({ store: adapter, throwOnErrors: true, useKeyPrefix: false, namespace: 'signal-bridge' });
    const backend = { kind: 'redis' as const, client: () => adapter.getClient() };
    probed = () => {
      connected = true;
    };
    store = {
      kind: 'redis',
      where,
      keyv,
      cells: redisLeaseCells(adapter),
      states: stateCells(backend),
      backend,
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
  probed();
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
