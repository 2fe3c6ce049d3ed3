import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridgeState, emptyState, type BridgeStateDoc } from '../../src/store/bridge-state.js';
import { createStore } from '../../src/store/create-store.js';
import { StoreError } from '../../src/store/store-error.js';
import { fixedStrategy, makeBridge } from '../helpers/make-bridge.js';
import { API_KEY, blockNetwork, fakeAlgogene, openOrderBody, resetNetwork, TOKEN } from '../helpers/fake-algogene.js';

const TRADE = { tradeId: '746805590705', orderRef: 'sb.main.1', side: 'SELL', volume: 2, instrument: 'ETHUSD', openedAt: '2030-01-01T00:00:00.000Z' } as const;

describe('the SQLite store', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'signal-bridge-test-'));
    file = path.join(dir, 'not', 'yet', 'there', 'bridge.sqlite');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the folder and the file on first use', async () => {
    expect(existsSync(path.dirname(file))).toBe(false);
    const store = await createStore(`sqlite://${file}`);
    await createBridgeState(store, 'main').save({ ...emptyState(), trades: [TRADE] });
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('the tracked trade survives closing and reopening the store', async () => {
    const doc: BridgeStateDoc = { ...emptyState(), trades: [TRADE], intents: [{ orderRef: 'sb.main.2', side: 'BUY', volume: 1, instrument: 'ETHUSD', tick: '2030-01-01T00:01:00.000Z' }] };
    const first = await createStore(`sqlite://${file}`);
    await createBridgeState(first, 'main').save(doc);
    await first.close();

    const second = await createStore(`sqlite://${file}`);
    try {
      expect(await createBridgeState(second, 'main').load()).toEqual(doc);
    } finally {
      await second.close();
    }
  });

  it('a database written before the driver changed (by @keyv/sqlite) opens with its values', async () => {
    // The tables and rows exactly as @keyv/sqlite 4 and Keyv 5 wrote them.
    mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec('CREATE TABLE keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )');
    old.exec('CREATE TABLE signal_bridge_state (bridge TEXT PRIMARY KEY, doc TEXT NOT NULL)');
    const legacy: BridgeStateDoc = { ...emptyState(), trades: [TRADE] };
    old.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)').run('keyv:bridge:legacy:state', JSON.stringify({ value: legacy }));
    old.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)').run('keyv:daemon:abc', JSON.stringify({ value: { port: 8080 } }));
    old.prepare('INSERT INTO signal_bridge_state (bridge, doc) VALUES (?, ?)').run('main', JSON.stringify(legacy));
    old.close();

    const store = await createStore(`sqlite://${file}`);
    try {
      expect(await store.keyv.get('daemon:abc')).toEqual({ port: 8080 });
      expect(await createBridgeState(store, 'main').load()).toEqual(legacy);
      const state = createBridgeState(store, 'legacy');
      expect(await state.load()).toEqual(legacy);
      // The first save moves it to its table and drops the old value.
      await state.save({ ...legacy, trades: [] });
      expect(await store.keyv.get('bridge:legacy:state')).toBeUndefined();
      expect(await createBridgeState(store, 'legacy').load()).toEqual({ ...legacy, trades: [] });
    } finally {
      await store.close();
    }
  });

  it.each([
    ['a record of another shape', { version: 1, trades: [{ tradeId: 746805590705 }], intents: [] }],
    ['a future version', { version: 2, trades: [], intents: [] }],
    ['a string', 'not json at all'],
    ['a trade without its side', { version: 1, trades: [{ ...TRADE, side: undefined }], intents: [] }],
  ])('refuses %s with a clear StoreError instead of reading it as empty', async (_name, damaged) => {
    const store = await createStore(`sqlite://${file}`);
    try {
      await store.keyv.set('bridge:main:state', damaged);
      const error = await createBridgeState(store, 'main').load().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/bridge:main:state is not a bridge state .*inspect it before running again/);
      expect((error as Error).message).toContain(file);
    } finally {
      await store.close();
    }
  });

  it('the database file holds the trade but no API key or session token', async () => {
    blockNetwork();
    const api = fakeAlgogene();
    api.session();
    api.openOrder([200, openOrderBody(746805590705)]);
    const t = await makeBridge({ strategy: fixedStrategy('BUY'), env: { BRIDGE_STORE: `sqlite://${file}` } });
    try {
      expect((await t.tick()).ok).toBe(true);
    } finally {
      await t.close();
      resetNetwork();
    }
    const bytes = readFileSync(file).toString('latin1');
    expect(bytes).toContain('746805590705');
    expect(bytes).not.toContain(API_KEY);
    expect(bytes).not.toContain(TOKEN);
  });

  it('an unsupported store URL is a StoreError naming BRIDGE_STORE', async () => {
    await expect(createStore('mysql://localhost/bridge')).rejects.toThrow(/BRIDGE_STORE: .* is not a supported store/);
  });
});
