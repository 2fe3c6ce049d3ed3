/** The journal on each store kind, for tests that must hold on all three. Redis bridges get unique ids and are removed after. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createJournal, type Journal } from '../../src/journal/create-journal.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import { tempDir } from '../helpers/sim-runtime.js';

export const KINDS = ['memory', 'sqlite', 'redis'] as const;
export type Kind = (typeof KINDS)[number];

export function storeUrl(kind: Kind): string {
  if (kind === 'memory') return 'memory://';
  if (kind === 'sqlite') return `sqlite://${path.join(tempDir('journal'), 'bridge.sqlite')}`;
  return 'redis://127.0.0.1:6379';
}

export interface OpenJournal {
  readonly store: Store;
  readonly journal: Journal;
  /** A bridge id no other test (or run) uses. */
  bridgeId(label?: string): string;
  close(): Promise<void>;
}

export async function openJournal(kind: Kind, url = storeUrl(kind), options: Parameters<typeof createJournal>[1] = {}): Promise<OpenJournal> {
  const store = await createStore(url);
  const journal = await createJournal(store, options);
  const ids: string[] = [];
  return {
    store,
    journal,
    bridgeId(label = 'b') {
      const id = `${label}-${randomUUID().slice(0, 8)}`;
      ids.push(id);
      return id;
    },
    async close() {
      if (store.backend.kind === 'redis') {
        const redis = await store.backend.client();
        for (const id of ids) {
          await redis.del(`signal-bridge:journal:${id}`);
          await redis.sRem('signal-bridge:journal:bridges', id);
        }
      }
      await store.close();
    },
  };
}
