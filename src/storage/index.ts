/**
 * Storage: the repositories the domain folders declare, on SQLite (the embedded default) and PostgreSQL
 * (several processes on several machines). The only folder that knows a driver or writes SQL.
 */
export { openStore, openClient, fromClient, isPostgresUrl, type Store, type OpenStoreOptions } from './open-store.ts';
export { migrate, pendingMigrations } from './migrate.ts';
export { copyStore, type CopyReport } from './copy-store.ts';
export { openThreadedSendStore } from './threaded-send-store.ts';
export { sqliteMigrations, postgresMigrations, type Migration } from './migrations.ts';
export type { SqlClient, Dialect } from './sql-client.ts';
