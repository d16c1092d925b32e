import type { Keyring, OutboxStore, SubscriberStore } from '../audience/index.ts';
import type { SendStore } from '../delivery/index.ts';
import type { RunLedger } from '../schedule/index.ts';
import type { ArchiveIndex } from '../web/index.ts';
import { createArchiveRepository } from './archive-repository.ts';
import type { InboundStore } from '../inbound/index.ts';
import { createInboundRepository } from './inbound-repository.ts';
import { createDatabaseKeyring } from './key-repository.ts';
import { migrate } from './migrate.ts';
import { createOutboxRepository } from './outbox-repository.ts';
import { openPostgresClient } from './postgres-client.ts';
import { createRunRepository } from './run-repository.ts';
import { createSendLedgerRepository } from './send-ledger-repository.ts';
import type { Dialect, SqlClient } from './sql-client.ts';
import { openSqliteClient } from './sqlite-client.ts';
import { createSubscriberRepository } from './subscriber-repository.ts';

/** Every repository of one database, and what to say about it. */
export interface Store {
  engine: Dialect;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  name: string;
  subscribers: SubscriberStore;
  outbox: OutboxStore;
  sends: SendStore;
  runs: RunLedger;
  archive: ArchiveIndex;
  /** Mail and provider events that came back (bounces, complaints, unsubscribe mails). */
  inbound: InboundStore;
  /** The token keys kept in this database (what a PostgreSQL install signs with). */
  keyring(options: { create: boolean; onCreate?: (message: string) => void }): Keyring;
  /** A trivial read: rejects when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** A SQLite file path (`:memory:` too) or a `postgres://` / `postgresql://` URL. */
  database: string;
  /** How long a write waits for another process's lock before EBUSY (default 30 s). */
  busyTimeoutMs?: number;
  /** Apply pending migrations first (default true; `daybreak db migrate` applies them by hand). */
  migrate?: boolean;
  /** PostgreSQL connections in the pool (default 4). */
  poolSize?: number;
}

/** True for a PostgreSQL connection URL. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** Opens the engine `database` names, without the repositories (migrations, copies). */
export function openClient(options: OpenStoreOptions): SqlClient & { checkpoint?(): Promise<void> } {
  return isPostgresUrl(options.database)
    ? openPostgresClient(options.database, {
        ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
        ...(options.poolSize !== undefined ? { max: options.poolSize } : {}),
      })
    : openSqliteClient(options.database, options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {});
}

/**
 * Opens the database (SQLite file or PostgreSQL URL), migrates it, and returns its repositories.
 *
 * @example
 * const store = await openStore({ database: process.env.DATABASE_URL ?? 'var/daybreak.db' });
 * try { await store.subscribers.list(); } finally { await store.close(); }
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const client = openClient(options);
  try {
    if (options.migrate !== false) await migrate(client);
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  return fromClient(client);
}

/** The repositories over an open client. */
export function fromClient(client: SqlClient & { checkpoint?(): Promise<void> }): Store {
  return {
    engine: client.dialect,
    name: client.name,
    subscribers: createSubscriberRepository(client),
    outbox: createOutboxRepository(client),
    sends: createSendLedgerRepository(client),
    runs: createRunRepository(client),
    archive: createArchiveRepository(client),
    inbound: createInboundRepository(client),
    keyring: (options) => createDatabaseKeyring(client, options),
    async ping() {
      await client.get('SELECT 1 AS ok');
    },
    close: () => client.close(),
  };
}
