import Database from 'better-sqlite3';

/** SQL on the store's one connection: the rows a statement returns (none for a plain write). */
export type Query = (sql: string, ...params: unknown[]) => Promise<unknown[]>;
/**
 * A write on the store's one connection: how many rows it changed. Cheaper than RETURNING for
 * "did my conditional write happen" (RETURNING costs a third of a fenced insert).
 */
export type Execute = (sql: string, ...params: unknown[]) => Promise<number>;

export interface SqliteDatabase {
  readonly query: Query;
  readonly execute: Execute;
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

interface Pending {
  readonly statement: Database.Statement;
  readonly params: unknown[];
  /** Whether the caller wants the number of rows changed rather than the rows. */
  readonly changes: boolean;
  resolve(answer: unknown): void;
  reject(error: unknown): void;
  answer?: unknown;
}

/**
 * One better-sqlite3 connection. Each statement runs synchronously (microseconds, no thread pool)
 * from a cache of prepared statements.
 *
 * Group commit: the writes asked for in one turn of the event loop are queued, and at the end of
 * the turn (setImmediate) run in one transaction, BEGIN IMMEDIATE to COMMIT in one synchronous
 * step, instead of one transaction, and its WAL append, per statement. The write lock is held only
 * for that step, never across a wait: another process (`status`, `close` from a shell) or another
 * connection of this process waits for it milliseconds at most, and nothing can deadlock on it.
 * A write is answered after the COMMIT (an order is sent only once its intent is committed); if the
 * transaction fails or is rolled back, every statement in it is rejected: none of them happened.
 * A statement refused on its own (a UNIQUE conflict) changed nothing and is rejected alone.
 *
 * A read while writes are queued joins the queue, so that it sees them (a bridge reads what it
 * just wrote), and is answered with them after the COMMIT: nobody acts on what it saw before that
 * is durable. A read with nothing queued runs at once and sees what is committed. Each write stays
 * one atomic statement (a fenced write checks the lease in the statement itself), so batching
 * changes when a write becomes durable, never what it decides.
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
  let queued: Pending[] | undefined;
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

  const run = (statement: Database.Statement, params: unknown[], changes = false): unknown => {
    if (changes) return statement.run(...params).changes;
    if (statement.reader) return statement.all(...params);
    statement.run(...params);
    return [];
  };

  /** Runs the queued statements in one transaction and answers them. */
  const flush = () => {
    const batch = queued;
    queued = undefined;
    if (!batch) return;
    const done: Pending[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const [i, p] of batch.entries()) {
        try {
          p.answer = run(p.statement, p.params, p.changes);
          done.push(p);
        } catch (error) {
          if (db.inTransaction) {
            p.reject(error);
            continue;
          }
          // Rolled back under us (SQLITE_FULL, IOERR, ...): the earlier statements are undone, the later never ran.
          p.reject(error);
          for (const q of [...done, ...batch.slice(i + 1)]) q.reject(error);
          return;
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const p of batch) p.reject(error);
      return;
    }
    for (const p of done) p.resolve(p.answer);
  };

  const enqueue = (sql: string, params: unknown[], changes: boolean): Promise<unknown> => {
    if (closed) return Promise.reject(new Error('the SQLite store is closed'));
    let statement: Database.Statement;
    try {
      statement = prepare(sql);
      if (!queued && statement.readonly) return Promise.resolve(run(statement, params, changes));
    } catch (error) {
      return Promise.reject(error);
    }
    if (!queued) {
      queued = [];
      setImmediate(flush);
    }
    const batch = queued;
    return new Promise((resolve, reject) => batch.push({ statement, params, changes, resolve, reject }));
  };

  return {
    query: (sql, ...params) => enqueue(sql, params, false) as Promise<unknown[]>,
    execute: (sql, ...params) => enqueue(sql, params, true) as Promise<number>,
    async close() {
      if (closed) return;
      closed = true;
      flush();
      db.close();
    },
  };
}
