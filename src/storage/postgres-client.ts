import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Params, SqlClient, SqlRunner } from './sql-client.ts';
import { DaybreakError } from '../errors.ts';
import { describeDatabase } from '../settings/index.ts';
import { busyError, storageError } from './storage-error.ts';

// COUNT(*) and BIGINT come back as text by default (they may exceed 2^53); ours are row counts and ids.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface PostgresClientOptions {
  /** How long a statement waits for a row or table lock before EBUSY (PostgreSQL's lock_timeout). */
  busyTimeoutMs?: number;
  /** Connections in the pool. */
  max?: number;
}

/** `?` placeholders (outside quotes) to PostgreSQL's `$1, $2, …`. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else out += ch;
  }
  return out;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock: the transaction is retried
const LOCK_TIMEOUT = '55P03';

/**
 * The PostgreSQL engine over `pg`'s Pool. Transactions are READ COMMITTED; the ledger claims rows with
 * `FOR UPDATE SKIP LOCKED`, so many processes share work without waiting on each other. A lock held by
 * someone else longer than `busyTimeoutMs` ends the statement with EBUSY instead of hanging.
 *
 * @example
 * const client = openPostgresClient('postgres://daybreak@localhost/daybreak');
 * await client.transaction(async (tx) => tx.run('UPDATE runs SET state = ? WHERE …', ['done']));
 */
export function openPostgresClient(url: string, options: PostgresClientOptions = {}): SqlClient {
  const name = describeDatabase(url);
  const busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    // Session settings for every connection: bounded lock waits; times in UTC.
    options: `-c lock_timeout=${busyTimeoutMs} -c TimeZone=UTC`,
  });
  // An idle client losing its connection (the server restarted) must not crash the process; nor may a
  // client that loses it while checked out for a statement (pg-pool listens only on idle ones): the
  // statement in flight fails with the loss, which is what is reported.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const translate = (error: unknown) => {
    const code = (error as { code?: string }).code ?? '';
    if (code === LOCK_TIMEOUT) return busyError(name, busyTimeoutMs);
    // Any other server error (a five-character SQLSTATE) is reported with the database's name, and keeps
    // its code for the retry below; never a driver stack trace.
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return Object.assign(new DaybreakError('ESTORAGE', `Database ${name}: ${(error as Error).message} (SQLSTATE ${code})`, { cause: error }), { sqlState: code });
    }
    return storageError(name, error);
  };
  /** Runs one statement, again when PostgreSQL chose it as a deadlock victim or a serialization failure. */
  const retrying = async <T>(attempt: () => Promise<T>): Promise<T> => {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (n >= 5 || !RETRYABLE.has((error as { sqlState?: string }).sqlState ?? '')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * n + Math.random() * 20));
      }
    }
  };
  // Statements are named (pg's prepared statements), so each connection parses and plans a statement
  // once, not on every claim and record. Names are derived from the text, so equal texts share one.
  const names = new Map<string, { name: string; text: string }>();
  const prepared = (sql: string, params: Params) => {
    let entry = names.get(sql);
    if (!entry) {
      entry = { name: `d${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`, text: numberPlaceholders(sql) };
      names.set(sql, entry);
    }
    return { name: entry.name, text: entry.text, values: params as unknown[] };
  };
  const runner = (q: { query: pg.Pool['query'] }): SqlRunner => ({
    async all<T>(sql: string, params: Params = []) {
      try {
        return (await q.query(prepared(sql, params))).rows as T[];
      } catch (error) {
        throw translate(error);
      }
    },
    async get<T>(sql: string, params: Params = []) {
      try {
        return (await q.query(prepared(sql, params))).rows[0] as T | undefined;
      } catch (error) {
        throw translate(error);
      }
    },
    async run(sql: string, params: Params = []) {
      try {
        return (await q.query(prepared(sql, params))).rowCount ?? 0;
      } catch (error) {
        throw translate(error);
      }
    },
    async exec(sql: string) {
      try {
        await q.query(sql);
      } catch (error) {
        throw translate(error);
      }
    },
  });
  const inPool = runner(pool);
  // A statement on its own is its own transaction, so it can simply run again.
  const direct: SqlRunner = {
    all: (sql, params) => retrying(() => inPool.all(sql, params)),
    get: (sql, params) => retrying(() => inPool.get(sql, params)),
    run: (sql, params) => retrying(() => inPool.run(sql, params)),
    exec: (sql) => inPool.exec(sql),
  };
  return {
    dialect: 'postgres',
    name,
    ...direct,
    async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (error) {
          throw translate(error);
        }
        // pg-pool listens for a lost connection only on idle clients: while this one is checked out, its
        // 'error' event would be an uncaught exception that ends the process. The statement that fails
        // reports the loss; the client is then destroyed instead of going back to the pool.
        let lost: Error | null = null;
        const onLost = (error: Error) => {
          lost = error;
        };
        client.on('error', onLost);
        try {
          await client.query('BEGIN');
          const result = await fn(runner(client));
          await client.query('COMMIT');
          client.off('error', onLost);
          client.release();
          return result;
        } catch (error) {
          if (!lost) await client.query('ROLLBACK').catch(() => {});
          client.off('error', onLost);
          client.release(lost ?? undefined);
          if (RETRYABLE.has((error as { sqlState?: string }).sqlState ?? (error as { code?: string }).code ?? '') && attempt < 5) continue;
          throw error instanceof DaybreakError ? error : translate(error);
        }
      }
    },
    now: () => `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    nowPlusSeconds: () =>
      `to_char((clock_timestamp() + (?::float8) * interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    skipLocked: 'FOR UPDATE SKIP LOCKED',
    async close() {
      await pool.end();
    },
  };
}
