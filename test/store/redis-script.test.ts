/**
 * The fenced writes and lease operations on Redis are Lua scripts sent by their SHA1. Redis forgets its scripts
 * when it restarts (or on SCRIPT FLUSH): the next write must still land, not fail with NOSCRIPT.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgeLease, leaseKey } from '../../src/store/bridge-lease.js';
import { createBridgeState, emptyState } from '../../src/store/bridge-state.js';
import { createStore, type Store } from '../../src/store/create-store.js';
import { redisScript } from '../../src/store/redis-script.js';

interface RawRedis {
  sendCommand(args: string[]): Promise<unknown>;
  del(keys: string[]): Promise<number>;
}

let store: Store;
let redis: RawRedis;
/** The store's node-redis client. */
async function client(): Promise<unknown> {
  if (store.backend.kind !== 'redis') throw new Error('expected the Redis store');
  return store.backend.client();
}
const bridgeId = `script-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  store = await createStore('redis://127.0.0.1:6379');
  redis = (await client()) as RawRedis;
});
afterAll(async () => {
  await redis.del([`signal-bridge:lease:${leaseKey(bridgeId)}`, `signal-bridge:state:${bridgeId}`]);
  await store.close();
});

describe('Lua scripts on Redis', () => {
  it('a script is run by its SHA1 once Redis knows it, and again after Redis forgot it', async () => {
    const echo = redisScript(`return 'echo ' .. ARGV[1] -- ${randomUUID()}`);
    const redisClient = (await client()) as Parameters<typeof echo.run>[0];
    expect(await redis.sendCommand(['SCRIPT', 'EXISTS', echo.sha])).toEqual([0]);

    expect(await echo.run(redisClient, { keys: [], arguments: ['a'] })).toBe('echo a');
    expect(await redis.sendCommand(['SCRIPT', 'EXISTS', echo.sha])).toEqual([1]);

    await redis.sendCommand(['SCRIPT', 'FLUSH']);
    expect(await echo.run(redisClient, { keys: [], arguments: ['b'] })).toBe('echo b');
  });

  it('a bridge keeps its lease and writes its state across a Redis that forgot its scripts', async () => {
    const lease = createBridgeLease({ store, bridgeId, ttlMs: 30_000, me: { host: os.hostname(), pid: process.pid, instance: randomUUID() }, isAlive: () => true });
    expect((await lease.acquire()).ok).toBe(true);
    const state = createBridgeState(store, bridgeId, lease);

    await redis.sendCommand(['SCRIPT', 'FLUSH']);
    expect(await lease.renew()).toBe(true);
    await redis.sendCommand(['SCRIPT', 'FLUSH']);
    await state.save({ ...emptyState(), recentOrders: [1_893_456_000_000] });

    expect((await state.load()).recentOrders).toEqual([1_893_456_000_000]);
  });
});
