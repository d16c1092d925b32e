import { DaybreakError } from '../errors.ts';
import { migrate } from './migrate.ts';
import { TABLES } from './migrations.ts';
import type { SqlClient } from './sql-client.ts';
import { plural } from '../plural.ts';

export interface CopyReport {
  from: string;
  to: string;
  /** Rows per table, as counted in the target after the copy (equal to the source's, or the copy fails). */
  tables: Record<string, number>;
}

const BATCH = 500;

/**
 * Copies every row of one Daybreak database into another (SQLite to PostgreSQL, the way up from one
 * machine): subscribers, subscriptions, used tokens, the id floor, the send and run ledgers and the
 * outbox. The target is migrated first and must be empty; everything goes in one transaction, and the
 * counts of every table are compared before it commits, so a failed copy leaves the target as it was.
 *
 * @example
 * const report = await copyStore(openClient({ database: 'var/daybreak.db' }), openClient({ database: url }));
 */
export async function copyStore(
  source: SqlClient,
  target: SqlClient,
  options: {
    /**
     * Token keys kept outside the source database (the key file beside a SQLite file), oldest first: they
     * go into the target's `secret_keys`, so links already mailed keep working after the move.
     */
    keys?: { id: string; secret: string; createdAt?: string | undefined }[];
  } = {},
): Promise<CopyReport> {
  await migrate(source);
  await migrate(target);
  const tables: Record<string, number> = {};
  await target.transaction(async (tx) => {
    for (const table of TABLES) {
      const existing = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
      if (Number(existing?.n ?? 0) > 0) {
        throw new DaybreakError('EUSAGE', `The target database ${target.name} already has rows in \`${table}\`; copy into an empty database`);
      }
    }
    for (const table of TABLES) {
      const columns = (await columnsOf(target, table)).filter((c) => c !== '');
      const sourceColumns = new Set(await columnsOf(source, table));
      const shared = columns.filter((c) => sourceColumns.has(c));
      const total = Number((await source.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
      // Keyset-free paging: the source is not written meanwhile (stop Daybreak before copying).
      for (let offset = 0; offset < total; offset += BATCH) {
        const rows = await source.all<Record<string, unknown>>(
          `SELECT ${shared.join(', ')} FROM ${table} ORDER BY ${shared[0]}, ${shared[1] ?? shared[0]} LIMIT ? OFFSET ?`,
          [BATCH, offset],
        );
        if (rows.length === 0) break;
        const values = rows.map(() => `(${shared.map(() => '?').join(', ')})`).join(', ');
        await tx.run(`INSERT INTO ${table} (${shared.join(', ')}) VALUES ${values}`, rows.flatMap((r) => shared.map((c) => r[c] ?? null)));
      }
      const copied = Number((await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
      if (copied !== total) {
        throw new DaybreakError('ESTORAGE', `Copying \`${table}\` wrote ${copied} of its ${plural(total, 'row')}; nothing was committed`);
      }
      tables[table] = copied;
    }
    const keys = options.keys ?? [];
    if (keys.length > 0 && (tables.secret_keys ?? 0) === 0) {
      for (const [seq, key] of keys.entries()) {
        await tx.run('INSERT INTO secret_keys (seq, id, secret, created_at) VALUES (?, ?, ?, ?)', [seq, key.id, key.secret, key.createdAt ?? new Date().toISOString()]);
      }
      tables.secret_keys = keys.length;
    }
    if (target.dialect === 'postgres') {
      // The id sequences continue after the copied ids.
      for (const table of ['outbox', 'inbound_messages']) {
        await tx.run(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM ${table}), 1))`);
      }
    }
  });
  return { from: source.name, to: target.name, tables };
}

async function columnsOf(client: SqlClient, table: string): Promise<string[]> {
  if (client.dialect === 'postgres') {
    const rows = await client.all<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema() ORDER BY ordinal_position`,
      [table],
    );
    return rows.map((r) => r.column_name);
  }
  const rows = await client.all<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [table]);
  return rows.map((r) => r.name);
}
