import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AsyncMutex } from './async-mutex.ts';
import type { Params, SqlClient, SqlRunner } from './sql-client.ts';
import { busyError, storageError } from './storage-error.ts';

/**
 * Each connection's page cache, in KiB (SQLite's `cache_size` takes a negative number for KiB).
 * better-sqlite3 builds SQLite with a 16 MB cache per connection where SQLite's own default is 2 MB; the
 * send path reads the list in order, a page at a time, and gains nothing from a larger one.
 */
const PAGE_CACHE_KIB = 2000;

/**
 * WAL pages between automatic checkpoints. SQLite's default (1,000 pages, 4 MB) keeps the write-ahead
 * log small on a small disk; a send also checkpoints as it goes (`checkpoint()`).
 */
const WAL_AUTOCHECKPOINT_PAGES = 1000;

export interface SqliteClientOptions {
  /**
   * How long a write waits for another process's write lock before giving up with EBUSY. The wait is a
   * retry on timers, never SQLite's own busy handler, which would sleep on the thread that serves the web.
   */
  busyTimeoutMs?: number;
}

const isBusy = (error: unknown) => {
  const code = (error as { code?: string }).code ?? '';
  return code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED';
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function bind(params: Params): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/**
 * The SQLite engine: better-sqlite3 with WAL (readers never wait for the writer), synchronous=FULL (a
 * committed ledger row survives a power cut), foreign keys, and write transactions begun IMMEDIATE. The
 * busy timeout is 0: a locked database is waited for by retrying on timers, so the event loop keeps
 * answering reads (and /healthz) while a write waits, and the wait ends with EBUSY naming the file.
 *
 * @example
 * const client = openSqliteClient('var/daybreak.db', { busyTimeoutMs: 5000 });
 * const rows = await client.all('SELECT id FROM subscribers WHERE id > ?', [0]);
 */
export function openSqliteClient(file: string, options: SqliteClientOptions = {}): SqlClient & { checkpoint(): Promise<void> } {
  const busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
  let db: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('busy_timeout = 0');
  } catch (error) {
    throw storageError(file, error);
  }
  const mutex = new AsyncMutex();
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  // Statements run synchronously; the promise is only the shape both engines share.
  const direct: SqlRunner = {
    async all<T>(sql: string, params: Params = []) {
      const stmt = prepare(sql);
      return (stmt.reader ? stmt.all(...bind(params)) : (stmt.run(...bind(params)), [])) as T[];
    },
    async get<T>(sql: string, params: Params = []) {
      return prepare(sql).get(...bind(params)) as T | undefined;
    },
    async run(sql: string, params: Params = []) {
      return prepare(sql).run(...bind(params)).changes;
    },
    async exec(sql: string) {
      db.exec(sql);
    },
  };

  /** Runs `attempt` under the mutex, retrying on timers while another process holds the lock. */
  async function withLock<T>(attempt: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let delay = 2;
    for (;;) {
      const release = await mutex.lock();
      try {
        return await attempt();
      } catch (error) {
        if (!isBusy(error)) throw storageError(file, error);
      } finally {
        release();
      }
      const waited = Date.now() - started;
      if (waited >= busyTimeoutMs) throw busyError(file, waited);
      await sleep(Math.min(delay, busyTimeoutMs - waited));
      delay = Math.min(delay * 2, 100);
    }
  }

  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  } catch (error) {
    // A fresh file switching to WAL needs the write lock; another process creating it at the same moment
    // holds it for a few milliseconds. Anything else is reported as it is.
    if (!isBusy(error)) throw storageError(file, error);
  }

  return {
    dialect: 'sqlite',
    name: file,
    all: (sql, params) => withLock(() => direct.all(sql, params)),
    get: (sql, params) => withLock(() => direct.get(sql, params)),
    run: (sql, params) => withLock(() => direct.run(sql, params)),
    exec: (sql) => withLock(() => direct.exec(sql)),
    transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
      return withLock(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      });
    },
    now: () => `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    nowPlusSeconds: () => `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('%+.3f seconds', ?))`,
    skipLocked: '',
    async checkpoint() {
      // PASSIVE: copies what it can without waiting for readers; never blocks the caller on a lock.
      await withLock(async () => void db.pragma('wal_checkpoint(PASSIVE)'));
    },
    async close() {
      const release = await mutex.lock();
      try {
        if (db.open) db.close();
      } finally {
        release();
      }
    },
  };
}
