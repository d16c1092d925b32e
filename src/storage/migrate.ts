import { postgresMigrations, sqliteMigrations, type Migration } from './migrations.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Applies the dialect's pending migrations, each in its own transaction with its record, so two
 * processes opening a fresh database at once never both apply one (SQLite: the IMMEDIATE write lock;
 * PostgreSQL: a transaction-scoped advisory lock). Returns the ids it applied.
 *
 * @example
 * const applied = await migrate(client); // ['001-core', …] on a new database, [] afterwards
 */
export async function migrate(client: SqlClient, list: Migration[] = client.dialect === 'postgres' ? postgresMigrations : sqliteMigrations): Promise<string[]> {
  await client.transaction(async (tx) => {
    if (client.dialect === 'postgres') await tx.run(`SELECT pg_advisory_xact_lock(7283401)`);
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  });
  const applied: string[] = [];
  for (const m of list) {
    const done = await client.transaction(async (tx) => {
      if (client.dialect === 'postgres') await tx.run(`SELECT pg_advisory_xact_lock(7283401)`);
      if (await tx.get('SELECT id FROM schema_migrations WHERE id = ?', [m.id])) return false;
      await tx.exec(m.sql);
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, new Date().toISOString()]);
      return true;
    });
    if (done) applied.push(m.id);
  }
  return applied;
}

/** Migrations not applied yet (for `daybreak db migrate --dry-run` and the status line). */
export async function pendingMigrations(client: SqlClient): Promise<string[]> {
  const list = client.dialect === 'postgres' ? postgresMigrations : sqliteMigrations;
  const exists = client.dialect === 'postgres'
    ? await client.get(`SELECT 1 AS ok FROM information_schema.tables WHERE table_name = 'schema_migrations'`)
    : await client.get(`SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`);
  if (!exists) return list.map((m) => m.id);
  const done = new Set((await client.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  return list.filter((m) => !done.has(m.id)).map((m) => m.id);
}
