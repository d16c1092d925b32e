import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations as defaultMigrations, type Migration } from './migrations.ts';

export type Db = Database.Database;

export const DEFAULT_DB_FILE = 'var/daybreak.db';

/**
 * Each connection's page cache, in KiB (SQLite's `cache_size` takes a negative number for KiB).
 *
 * better-sqlite3 builds SQLite with a 16 MB cache per connection, where SQLite's own default is 2 MB.
 * A send holds two connections (the main thread's and the ledger thread's), and on a long list both caches
 * fill up, so the process's memory grew with the list. `bench:send` measured peak RSS at 162 MB for
 * 20,000 readers and 178 MB for 100,000 (+10%). With 2 MB caches it measured 154 MB and 156 MB, at the
 * same speed. The send path reads the list in order, a page at a time, and gains nothing from a larger cache.
 */
export const PAGE_CACHE_KIB = 2000;

/**
 * Opens (creating and migrating on first use) the SQLite database.
 * WAL so readers never block the writer; synchronous=FULL so a committed ledger row survives a power
 * cut, not only a process crash; a busy timeout so two processes wait for each other instead of failing.
 *
 * @example
 * const db = openDatabase(process.env.DAYBREAK_DB ?? DEFAULT_DB_FILE);
 */
export function openDatabase(file: string = DEFAULT_DB_FILE, options: { migrations?: Migration[] } = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  migrate(db, options.migrations ?? defaultMigrations);
  return db;
}

function migrate(db: Db, list: Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = db.prepare('SELECT id FROM schema_migrations WHERE id = ?');
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of list) {
    // IMMEDIATE: two processes opening a fresh database at once must not both apply a migration.
    db.transaction(() => {
      if (applied.get(m.id)) return;
      db.exec(m.sql);
      record.run(m.id, new Date().toISOString());
    }).immediate();
  }
}

/**
 * Runs `fn` in a write transaction begun IMMEDIATE, so the write lock is taken up front and a busy
 * database makes us wait (busy_timeout) rather than fail half-way with SQLITE_BUSY on upgrade.
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
