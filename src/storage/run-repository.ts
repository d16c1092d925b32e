import type { Run, RunCounts, RunLedger, RunState } from '../schedule/index.ts';
import type { SqlClient } from './sql-client.ts';

interface RunRow {
  newsletter: string;
  edition_date: string;
  state: RunState;
  scheduled_at: string | null;
  started_at: string;
  finished_at: string | null;
  reason: string | null;
  total: number;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
  holder: string | null;
  heartbeat_at: string | null;
}

function toRun(row: RunRow): Run {
  return {
    newsletter: row.newsletter,
    date: row.edition_date,
    state: row.state,
    scheduledAt: row.scheduled_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    reason: row.reason,
    total: row.total,
    sent: row.sent,
    failed: row.failed,
    deferred: row.deferred,
    skipped: row.skipped,
    holder: row.holder,
    heartbeatAt: row.heartbeat_at,
  };
}

/** The WHERE clause of `list` and `count`: a newsletter and a state, each when given. */
function filter(options: { newsletter?: string; state?: RunState }): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (options.newsletter) {
    clauses.push('newsletter = ?');
    params.push(options.newsletter);
  }
  if (options.state) {
    clauses.push('state = ?');
    params.push(options.state);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * The run ledger (table `runs`) on either engine.
 *
 * @example
 * const runs = createRunRepository(client);
 * if (await runs.claim({ newsletter: 'morning', date, scheduledAt, holder, now })) send();
 */
export function createRunRepository(client: SqlClient): RunLedger {
  const write = (sql: string, params: unknown[]) => client.transaction((tx) => tx.run(sql, params));
  return {
    async get(newsletter, date) {
      const row = await client.get<RunRow>('SELECT * FROM runs WHERE newsletter = ? AND edition_date = ?', [newsletter, date]);
      return row ? toRun(row) : null;
    },
    async claim(args) {
      const n = await write(
        `INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, holder, heartbeat_at)
         VALUES (?, ?, 'running', ?, ?, ?, ?) ON CONFLICT (newsletter, edition_date) DO NOTHING`,
        [args.newsletter, args.date, args.scheduledAt.toISOString(), args.now.toISOString(), args.holder, args.now.toISOString()],
      );
      return n === 1;
    },
    async recordMissed(args) {
      const now = args.now.toISOString();
      const n = await write(
        `INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, finished_at, reason)
         VALUES (?, ?, 'missed', ?, ?, ?, ?) ON CONFLICT (newsletter, edition_date) DO NOTHING`,
        [args.newsletter, args.date, args.scheduledAt.toISOString(), now, now, args.reason],
      );
      return n === 1;
    },
    async takeOver(run, holder, now) {
      const n = await write(
        `UPDATE runs SET holder = ?, heartbeat_at = ?
         WHERE newsletter = ? AND edition_date = ? AND state = 'running'
           AND (holder = ? OR (holder IS NULL AND CAST(? AS TEXT) IS NULL))
           AND (heartbeat_at = ? OR (heartbeat_at IS NULL AND CAST(? AS TEXT) IS NULL))`,
        [holder, now.toISOString(), run.newsletter, run.date, run.holder, run.holder, run.heartbeatAt, run.heartbeatAt],
      );
      return n === 1;
    },
    async heartbeat(newsletter, date, holder, now) {
      await write(`UPDATE runs SET heartbeat_at = ? WHERE newsletter = ? AND edition_date = ? AND holder = ? AND state = 'running'`, [
        now.toISOString(), newsletter, date, holder,
      ]);
    },
    async release(newsletter, date, holder, reason, counts?: RunCounts) {
      await write(
        `UPDATE runs SET holder = NULL, heartbeat_at = NULL, reason = ?,
           total = COALESCE(?, total), sent = COALESCE(?, sent), failed = COALESCE(?, failed),
           deferred = COALESCE(?, deferred), skipped = COALESCE(?, skipped)
         WHERE newsletter = ? AND edition_date = ? AND holder = ? AND state = 'running'`,
        [reason, counts?.total ?? null, counts?.sent ?? null, counts?.failed ?? null, counts?.deferred ?? null, counts?.skipped ?? null,
          newsletter, date, holder],
      );
    },
    async finish(args) {
      const c = args.counts ?? { total: 0, sent: 0, failed: 0, deferred: 0, skipped: 0 };
      await write(
        `UPDATE runs SET state = ?, finished_at = ?, reason = ?, total = ?, sent = ?, failed = ?, deferred = ?,
           skipped = ?, holder = NULL, heartbeat_at = NULL
         WHERE newsletter = ? AND edition_date = ? AND holder = ? AND state = 'running'`,
        [args.state, args.now.toISOString(), args.reason ?? null, c.total, c.sent, c.failed, c.deferred, c.skipped,
          args.newsletter, args.date, args.holder],
      );
    },
    async updateCounts(newsletter, date, counts, reason) {
      await write(
        `UPDATE runs SET total = ?, sent = ?, failed = ?, deferred = ?, skipped = ?, reason = COALESCE(?, reason)
         WHERE newsletter = ? AND edition_date = ?`,
        [counts.total, counts.sent, counts.failed, counts.deferred, counts.skipped, reason ?? null, newsletter, date],
      );
    },
    async running(newsletter) {
      return (await client.all<RunRow>(`SELECT * FROM runs WHERE newsletter = ? AND state = 'running' ORDER BY edition_date`, [newsletter])).map(toRun);
    },
    async withDeferred(newsletter) {
      return (await client.all<RunRow>(
        `SELECT * FROM runs WHERE newsletter = ? AND state = 'done' AND deferred > 0 ORDER BY edition_date`,
        [newsletter],
      )).map(toRun);
    },
    async last(newsletter) {
      const row = await client.get<RunRow>('SELECT * FROM runs WHERE newsletter = ? ORDER BY edition_date DESC LIMIT 1', [newsletter]);
      return row ? toRun(row) : null;
    },
    async list(options = {}) {
      const { where, params } = filter(options);
      const sql = `SELECT * FROM runs ${where} ORDER BY edition_date DESC, newsletter LIMIT ?`;
      return (await client.all<RunRow>(sql, [...params, options.limit ?? 20])).map(toRun);
    },
    async count(options = {}) {
      const { where, params } = filter(options);
      const row = await client.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM runs ${where}`, params);
      // PostgreSQL returns COUNT(*) as a bigint, which the driver gives as a string.
      return Number(row?.n ?? 0);
    },
    async since() {
      const row = await client.get<{ at: string | null }>(`SELECT MIN(applied_at) AS at FROM schema_migrations`);
      return row?.at ? new Date(row.at) : undefined;
    },
  };
}
