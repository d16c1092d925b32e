import { randomBytes } from 'node:crypto';
import { DaybreakError } from '../errors.ts';
import type { Key, Keyring } from '../audience/index.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * The token keys kept in the database itself (table `secret_keys`): what a PostgreSQL install uses, so
 * every process on every machine signs and verifies with the same keys. The current key is the newest;
 * older ones stay for verifying links mailed before a rotation. Only a command that writes may create the
 * first key (`create`), and it is told so (`onCreate`).
 *
 * @example
 * const keyring = createDatabaseKeyring(client, { create: true, onCreate: console.log });
 */
export function createDatabaseKeyring(client: SqlClient, options: { create: boolean; onCreate?: (message: string) => void }): Keyring {
  type Row = { seq: number; id: string; secret: string; created_at: string };
  const toKey = (row: Row): Key => ({ id: row.id, secret: row.secret, createdAt: row.created_at });
  const newest = () => client.get<Row>('SELECT seq, id, secret, created_at FROM secret_keys ORDER BY seq DESC LIMIT 1');
  const add = (first: boolean) =>
    client.transaction(async (tx) => {
      // Serialized, so two processes making the first key at once end up with one.
      if (client.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(7283403)');
      const top = await tx.get<Row>('SELECT seq, id, secret, created_at FROM secret_keys ORDER BY seq DESC LIMIT 1');
      if (top && first) return toKey(top);
      const seq = (top?.seq ?? -1) + 1;
      const row = { seq, id: `k${seq}`, secret: randomBytes(32).toString('base64url'), created_at: new Date().toISOString() };
      await tx.run('INSERT INTO secret_keys (seq, id, secret, created_at) VALUES (?, ?, ?, ?)', [row.seq, row.id, row.secret, row.created_at]);
      return toKey(row);
    });
  return {
    async current() {
      const row = await newest();
      if (row) return toKey(row);
      if (!options.create) {
        throw new DaybreakError('ENOKEY', `The database ${client.name} has no token key yet; a command that writes (daybreak start, serve or send) makes one`);
      }
      const key = await add(true);
      options.onCreate?.(`Made the first token key (${key.id}) in the database ${client.name}.`);
      return key;
    },
    async byId(id) {
      const row = await client.get<Row>('SELECT seq, id, secret, created_at FROM secret_keys WHERE id = ?', [id]);
      return row ? toKey(row) : undefined;
    },
    rotate: () => add(false),
    async list() {
      const rows = await client.all<Row>('SELECT seq, id, secret, created_at FROM secret_keys ORDER BY seq');
      return rows.map((r, i) => ({ id: r.id, createdAt: r.created_at, current: i === rows.length - 1 }));
    },
    describe: () => `the database ${client.name}`,
  };
}
