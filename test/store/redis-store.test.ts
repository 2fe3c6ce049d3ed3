import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBridgeState, emptyState, type BridgeStateDoc } from '../../src/store/bridge-state.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import { StoreError } from '../../src/store/store-error.js';
import { fixedStrategy, makeBridge } from '../helpers/make-bridge.js';
import { API_KEY, blockNetwork, fakeAlgogene, openOrderBody, resetNetwork, TOKEN } from '../helpers/fake-algogene.js';

const REDIS = 'redis://127.0.0.1:6379';

interface RawRedis {
  keys(pattern: string): Promise<string[]>;
  get(key: string): Promise<string | null>;
  del(keys: string[]): Promise<number>;
}

/** The node-redis client under Keyv, to see what is really stored and to clean up. */
async function raw(store: Store): Promise<RawRedis> {
  return (await (store.keyv.store as { getClient(): Promise<unknown> }).getClient()) as RawRedis;
}

const TRADE = { tradeId: '746805590705', orderRef: 'sb.x.1', side: 'BUY', volume: 1, instrument: 'BTCUSD', openedAt: '2030-01-01T00:00:00.000Z' } as const;

describe('the Redis store (real Redis on 127.0.0.1:6379)', () => {
  let bridgeId: string;
  const opened: Store[] = [];

  const open = async () => {
    const store = await createStore(REDIS);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    bridgeId = `test-${randomUUID()}`;
  });

  afterEach(async () => {
    const cleaner = await createStore(REDIS);
    const client = await raw(cleaner);
    const keys = await client.keys(`*${bridgeId}*`);
    if (keys.length > 0) await client.del(keys);
    await cleaner.close();
    for (const store of opened.splice(0)) await store.close();
  });

  it('state saved through one store is read back by a fresh createStore', async () => {
    const first = await open();
    const doc: BridgeStateDoc = { ...emptyState(), trades: [TRADE] };
    await createBridgeState(first, bridgeId).save(doc);
    await first.close();

    const second = await open();
    expect(await createBridgeState(second, bridgeId).load()).toEqual(doc);
  });

  it('a bridge with nothing saved reads as empty, and bridges do not see each other', async () => {
    const store = await open();
    await createBridgeState(store, bridgeId).save({ ...emptyState(), trades: [TRADE] });
    expect(await createBridgeState(store, `${bridgeId}-other`).load()).toEqual(emptyState());
  });

  it('a damaged state record is refused with a StoreError, not read as empty', async () => {
    const store = await open();
    await store.keyv.set(`bridge:${bridgeId}:state`, { version: 1, trades: [{ tradeId: 'abc' }], intents: [] });
    const error = await createBridgeState(store, bridgeId).load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(new RegExp(`bridge:${bridgeId}:state is not a bridge state`));
  });

  it('the stored record holds the trade but no API key or session token', async () => {
    blockNetwork();
    const api = fakeAlgogene();
    api.session();
    api.openOrder([200, openOrderBody(746805590705)]);
    const t = await makeBridge({ strategy: fixedStrategy('BUY'), env: { BRIDGE_STORE: REDIS, BRIDGE_ID: bridgeId } });
    try {
      expect((await t.tick()).ok).toBe(true);
      const client = await raw(t.store);
      const keys = await client.keys(`*${bridgeId}*`);
      expect(keys.length).toBeGreaterThan(0);
      const everything = (await Promise.all(keys.map((k) => client.get(k)))).join('\n');
      expect(everything).toContain('746805590705');
      expect(everything).not.toContain(API_KEY);
      expect(everything).not.toContain(TOKEN);
    } finally {
      await t.close();
      resetNetwork();
    }
  });

  it('a closed store leaves no timer armed: a command exits when its work is done, not seconds later', async () => {
    // Every timer set while the store is open, minus those that fired or were cleared.
    const armed = new Set<unknown>();
    const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
    const set = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const timer = realSet(() => {
        armed.delete(timer);
        fn(...args);
      }, ms);
      armed.add(timer);
      return timer;
    }) as typeof setTimeout);
    const clear = vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
      armed.delete(timer);
      realClear(timer);
    });
    try {
      const store = await createStore(REDIS);
      await createBridgeState(store, bridgeId).load();
      await store.close();
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
    expect(armed.size).toBe(0);
  });

  it('an unreachable Redis fails with a StoreError naming the store (it does not hang)', async () => {
    const error = await createStore('redis://127.0.0.1:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/BRIDGE_STORE: cannot reach redis:\/\/127\.0\.0\.1:1/);
  });

  it('the message of an unreachable Redis never shows its password', async () => {
    const error = await createStore('redis://:s3cret-passw0rd@127.0.0.1:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret-passw0rd');
  });
});
