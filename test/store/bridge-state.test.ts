import { describe, expect, it } from 'vitest';
import { createBridgeState, emptyState } from '../../src/store/bridge-state.js';
import { createStore } from '../../src/store/create-store.js';
import { StoreError } from '../../src/store/store-error.js';

describe('bridge state over the memory store', () => {
  it('starts empty and reads back what was saved', async () => {
    const store = await createStore('memory://');
    const state = createBridgeState(store, 'b1');
    expect(await state.load()).toEqual(emptyState());
    const doc = { ...emptyState(), trades: [{ tradeId: '746805590705', orderRef: 'sb.b1.x', side: 'BUY' as const, volume: 1, instrument: 'BTCUSD', openedAt: '2030-01-01T00:00:00.000Z' }] };
    await state.save(doc);
    expect(await state.load()).toEqual(doc);
  });

  it('refuses a trade whose ID is not all digits (an undefined ID can never be tracked)', async () => {
    const store = await createStore('memory://');
    await store.keyv.set('bridge:b1:state', { version: 1, trades: [{ tradeId: 'undefined', orderRef: 'r', side: 'BUY', volume: 1, instrument: 'BTCUSD', openedAt: 'x' }], intents: [] });
    await expect(createBridgeState(store, 'b1').load()).rejects.toBeInstanceOf(StoreError);
  });

  it('a store that fails to read is a StoreError, never "nothing tracked"', async () => {
    const store = await createStore('memory://');
    (store.states as { get: unknown }).get = async () => {
      throw new Error('disk I/O error');
    };
    const error = await createBridgeState(store, 'b1').load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/cannot read bridge:b1:state: disk I\/O error/);
  });

  it('a store that fails to write is a StoreError', async () => {
    const store = await createStore('memory://');
    (store.states as { put: unknown }).put = async () => {
      throw new Error('read-only');
    };
    await expect(createBridgeState(store, 'b1').save(emptyState())).rejects.toThrow(StoreError);
  });
});
