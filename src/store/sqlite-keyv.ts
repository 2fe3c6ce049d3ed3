import { EventEmitter } from 'node:events';
import type { SqliteDatabase } from './sqlite-database.js';

/**
 * Keyv's store on SQLite, for the few plain values outside the fenced tables (the daemon's
 * advert, the probe, a state written before states had a table of their own). The table and
 * its keys are the ones @keyv/sqlite made (table `keyv`, Keyv's own "keyv:" prefix, the
 * serialised value as text), so a database written before keeps its values.
 */
export class SqliteKeyv extends EventEmitter {
  /** Set by Keyv; used only by clear(). */
  namespace?: string;
  private readonly ready: Promise<unknown>;

  private readonly query: SqliteDatabase['query'];
  private readonly execute: SqliteDatabase['execute'];

  constructor(db: Pick<SqliteDatabase, 'query' | 'execute'>) {
    super();
    this.query = db.query;
    this.execute = db.execute;
    this.ready = db.query('CREATE TABLE IF NOT EXISTS keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )');
  }

  async get(key: string): Promise<string | undefined> {
    await this.ready;
    const rows = (await this.query('SELECT value FROM keyv WHERE key = ?', key)) as { value: string }[];
    return rows[0]?.value;
  }

  async set(key: string, value: string): Promise<boolean> {
    await this.ready;
    await this.execute('INSERT INTO keyv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    await this.ready;
    return (await this.execute('DELETE FROM keyv WHERE key = ?', key)) > 0;
  }

  async clear(): Promise<void> {
    await this.ready;
    await this.execute('DELETE FROM keyv WHERE key LIKE ?', this.namespace ? `${this.namespace}:%` : '%');
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }
}
