import { mkdirSync } from 'node:fs';
import path from 'node:path';
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
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
  close(): Promise<void>;
}

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
    store = { kind: 'memory', where, keyv: new Keyv({ throwOnErrors: true }), cells: memoryLeaseCells(), close: async () => {} };
  } else if (url.startsWith('sqlite://')) {
    const file = path.resolve(url.slice('sqlite://'.length));
    mkdirSync(path.dirname(file), { recursive: true });
    const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5_000 });
    const keyv = new Keyv({ store: adapter, throwOnErrors: true });
    store = { kind: 'sqlite', where: file, keyv, cells: sqliteLeaseCells(adapter), close: () => keyv.disconnect() };
  } else if (url.startsWith('redis://') || url.startsWith('rediss://')) {
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
