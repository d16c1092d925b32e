import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type OpenStoreOptions, type Store } from '../../src/storage/index.ts';
import { sqliteMigrations } from '../../src/storage/migrations.ts';

export type Db = Database.Database;

/**
 * A second, plain connection to a test's SQLite file, for seeding and for asserting on the tables as
 * they are (the code under test goes through the store). Opened after the store migrated the file.
 */
export function rawSqlite(file: string): Db {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** A migrated SQLite store in a new temp folder, with a raw connection beside it. */
export async function sqliteStore(options: Partial<OpenStoreOptions> = {}): Promise<{ store: Store; db: Db; file: string; dir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-store-'));
  const file = join(dir, 'daybreak.db');
  const store = await openStore({ database: file, ...options });
  const db = rawSqlite(file);
  return {
    store,
    db,
    file,
    dir,
    async cleanup() {
      await store.close().catch(() => {});
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL server tests may use (CI starts one: .ci/start-postgres), or null. */
export const PG_URL = process.env.DAYBREAK_TEST_PG_URL || null;

/**
 * Whether a missing PostgreSQL fails the run instead of skipping its tests: on CI (and whenever
 * DAYBREAK_REQUIRE_PG=1) every engine must have been tested.
 */
export const PG_REQUIRED = process.env.DAYBREAK_REQUIRE_PG === '1' || process.env.CI === 'true' || process.env.CI === '1';

let counter = 0;

/** A fresh, empty PostgreSQL database on the test server; its URL and how to drop it. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!PG_URL) throw new Error('DAYBREAK_TEST_PG_URL is not set');
  const name = `t_${process.pid}_${Date.now().toString(36)}_${(counter++).toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL! });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface EngineUnderTest {
  name: 'sqlite' | 'postgres';
  /** A new, empty database of this engine: its name for `openStore`/`--db`, and its removal. */
  create(): Promise<{ database: string; cleanup(): Promise<void> }>;
}

export const sqliteEngine: EngineUnderTest = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-engine-'));
    return { database: join(dir, 'daybreak.db'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

export const postgresEngine: EngineUnderTest = {
  name: 'postgres',
  async create() {
    const db = await freshPostgresDatabase();
    return { database: db.url, cleanup: () => db.drop() };
  },
};

/**
 * The engines a contract test runs on: SQLite always; PostgreSQL when DAYBREAK_TEST_PG_URL names a
 * server. Without one, a note says the PostgreSQL half was skipped (and on CI the run fails instead).
 */
export function enginesUnderTest(): EngineUnderTest[] {
  // npm run test:unit is the inner loop: no server to start, SQLite only (vitest.config.ts sets this).
  if (process.env.DAYBREAK_TEST_TIER === 'unit') return [sqliteEngine];
  if (PG_URL) return [sqliteEngine, postgresEngine];
  if (PG_REQUIRED) throw new Error('DAYBREAK_TEST_PG_URL is not set but PostgreSQL tests are required (CI): start one with .ci/start-postgres');
  if (!warned) {
    warned = true;
    process.stderr.write('note: DAYBREAK_TEST_PG_URL is not set; the PostgreSQL half of the storage tests is skipped (start one with .ci/start-postgres)\n');
  }
  return [sqliteEngine];
}
let warned = false;

/**
 * A new SQLite file in `file`, migrated synchronously with the same migrations the app applies (so the
 * many tests that seed tables with plain SQL can stay synchronous), and a raw connection to it.
 */
export function migratedSqlite(file: string): Db {
  const db = rawSqlite(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  for (const m of sqliteMigrations) {
    db.transaction(() => {
      if (db.prepare('SELECT id FROM schema_migrations WHERE id = ?').get(m.id)) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(m.id, new Date().toISOString());
    }).immediate();
  }
  return db;
}
