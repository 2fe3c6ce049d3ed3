/**
 * The SQLite connection commits the writes of one turn of the event loop together: what a user
 * relies on is that a write, once answered, is on disk for every other process (an order is sent
 * only after its intent is written), and that one refused statement does not take others with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/store/sqlite-database.js';

describe('the SQLite connection', () => {
  let dir: string;
  let file: string;
  let db: SqliteDatabase;
  let other: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'signal-bridge-db-'));
    file = path.join(dir, 'bridge.sqlite');
    db = openSqliteDatabase(file);
    await db.query('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
    // Another process's view: its own connection to the same file.
    other = new Database(file, { readonly: true });
  });
  afterEach(async () => {
    other.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seen = () => (other.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k);

  it('a write is answered only once another connection can read it', async () => {
    const writes = ['a', 'b', 'c'].map((k) =>
      db.query('INSERT INTO t (k, v) VALUES (?, ?)', k, 'x').then(() => {
        expect(seen()).toContain(k);
      }),
    );
    await Promise.all(writes);
    expect(seen()).toEqual(['a', 'b', 'c']);
  });

  it('a statement refused on its own (a duplicate key) fails alone; the others of its turn are written', async () => {
    await db.query('INSERT INTO t (k, v) VALUES (?, ?)', 'a', 'first');
    const results = await Promise.allSettled([
      db.query('INSERT INTO t (k, v) VALUES (?, ?)', 'b', 'x'),
      db.query('INSERT INTO t (k, v) VALUES (?, ?)', 'a', 'again'),
      db.query('INSERT INTO t (k, v) VALUES (?, ?)', 'c', 'x'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(seen()).toEqual(['a', 'b', 'c']);
    expect(other.prepare("SELECT v FROM t WHERE k = 'a'").get()).toEqual({ v: 'first' });
  });

  it('a read in the same turn sees the writes before it; a conditional write says whether it changed a row', async () => {
    const [, read, hit, miss, after] = await Promise.all([
      db.execute('INSERT INTO t (k, v) VALUES (?, ?)', 'a', '1'),
      db.query('SELECT v FROM t WHERE k = ?', 'a'),
      db.execute('UPDATE t SET v = ? WHERE k = ? AND v = ?', '2', 'a', '1'),
      db.execute('UPDATE t SET v = ? WHERE k = ? AND v = ?', '3', 'a', '1'),
      db.query('SELECT v FROM t WHERE k = ?', 'a'),
    ]);
    expect(read).toEqual([{ v: '1' }]);
    expect([hit, miss]).toEqual([1, 0]);
    expect(after).toEqual([{ v: '2' }]);
  });

  it('pending writes are committed by close', async () => {
    const write = db.query('INSERT INTO t (k, v) VALUES (?, ?)', 'z', 'x');
    await db.close();
    await write;
    expect(seen()).toEqual(['z']);
    await expect(db.query('SELECT 1')).rejects.toThrow(/closed/);
  });
});
