import Database from 'better-sqlite3';

/** SQL on the store's one connection: the rows a statement returns (none for a plain write). */
export type Query = (sql: string, ...params: unknown[]) => Promise<unknown[]>;

export interface SqliteDatabase {
  readonly query: Query;
  /** Commits what is pending, then closes the connection. */
  close(): Promise<void>;
}

/**
 * How long a write waits for another process's write lock (`signal-bridge status` or `close` from a
 * shell, a second store user) before failing. better-sqlite3 is synchronous, so the wait blocks this
 * process's event loop: those writers hold the lock for milliseconds, and a wait that long means the
 * file is stuck, which is better reported than waited on.
 */
const BUSY_TIMEOUT_MS = 5_000;

/** Statements kept prepared: the store's own are a few dozen; the bound only guards against unbounded SQL. */
const STATEMENT_CACHE = 200;

/**
 * One better-sqlite3 connection. Each statement runs synchronously (microseconds, no thread pool)
 * from a cache of prepared statements, as its own transaction.
 */
export function openSqliteDatabase(file: string): SqliteDatabase {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  // WAL: readers never wait for the writer, and a commit is one append. NORMAL with WAL loses
  // nothing when the process crashes (the WAL is in the OS's hands); a power loss may lose the
  // last commits, which the bridge then rebuilds from the server like any store that forgot.
  // Best effort, as before: a file another process holds mid-write still opens (it is WAL already).
  for (const pragma of ['journal_mode = WAL', 'synchronous = NORMAL']) {
    try {
      db.pragma(pragma);
    } catch (error) {
      if (/SQLITE_BUSY|locked/i.test(String((error as { code?: string }).code ?? (error as Error).message))) continue;
      db.close();
      throw error;
    }
  }
  const statements = new Map<string, Database.Statement>();
  let closed = false;

  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement) {
      // Most recently used last, so that the first key is the one to drop.
      statements.delete(sql);
    } else {
      statement = db.prepare(sql);
      if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value as string);
    }
    statements.set(sql, statement);
    return statement;
  };

  const run = (statement: Database.Statement, params: unknown[]): unknown[] => {
    if (statement.reader) return statement.all(...params) as unknown[];
    statement.run(...params);
    return [];
  };

  const query: Query = async (sql, ...params) => {
    if (closed) throw new Error('the SQLite store is closed');
    return run(prepare(sql), params);
  };

  return {
    query,
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
