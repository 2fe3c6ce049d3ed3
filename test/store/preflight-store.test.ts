import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preflightStore } from '../../src/store/preflight-store.js';
import { createStore } from '../../src/store/create-store.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preflightStore', () => {
  it('passes a new file in a new folder, and a SQLite database that exists', async () => {
    const file = path.join(dir, 'new', 'deeper', 'bridge.sqlite');
    expect(() => preflightStore(`sqlite://${file}`)).not.toThrow();
    const store = await createStore(`sqlite://${file}`);
    await store.keyv.set('x', 1);
    await store.close();
    expect(() => preflightStore(`sqlite://${file}`)).not.toThrow();
  });

  it('ignores other kinds of store', () => {
    expect(() => preflightStore('memory://')).not.toThrow();
    expect(() => preflightStore('redis://127.0.0.1:6379')).not.toThrow();
  });

  it.each([
    ['a folder', () => (mkdirSync(path.join(dir, 'folder'), { recursive: true }), path.join(dir, 'folder')), /is a folder: name a file in it/],
    ['another kind of file', () => (writeFileSync(path.join(dir, 'notes.txt'), 'hello'), path.join(dir, 'notes.txt')), /exists and is not a SQLite database/],
    ['a parent that is a file', () => (writeFileSync(path.join(dir, 'plain'), 'x'), path.join(dir, 'plain', 'a', 'b.sqlite')), /plain is a file, so .* cannot be created under it/],
    ['a path under /proc', () => '/proc/self/bridge.sqlite', /is under \/proc, a kernel file system/],
    ['a path under /sys', () => '/sys/bridge.sqlite', /is under \/sys, a kernel file system/],
  ])('refuses %s, naming the path', (_, at, message) => {
    const file = at();
    expect(() => preflightStore(`sqlite://${file}`)).toThrow(message);
    expect(() => preflightStore(`sqlite://${file}`)).toThrow(/^BRIDGE_STORE: /);
  });
});
