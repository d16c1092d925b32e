import { writeTransaction, type Db } from '../db/index.ts';

export type RunState = 'running' | 'done' | 'skipped' | 'missed' | 'failed';

/** One row of the run ledger: one scheduled edition (newsletter, local date). */
export interface Run {
  newsletter: string;
  date: string;
  state: RunState;
  scheduledAt: string | null;
  startedAt: string;
  finishedAt: string | null;
  reason: string | null;
  total: number;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
  holder: string | null;
  heartbeatAt: string | null;
}

export interface RunCounts {
  total: number;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
}

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

/**
 * The run ledger (issue 6) over the `runs` table. Every state change is one short IMMEDIATE write
 * transaction; none is held across network I/O. The primary key (newsletter, edition_date) is what makes
 * the scheduler idempotent: whoever inserts the row owns the edition, across restarts and processes.
 */
export class RunLedger {
  constructor(private readonly db: Db) {}

  get(newsletter: string, date: string): Run | null {
    const row = this.db
      .prepare('SELECT * FROM runs WHERE newsletter = ? AND edition_date = ?')
      .get(newsletter, date) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  /**
   * Claims an edition: inserts a `running` row held by `holder`. True only for the one caller whose
   * INSERT created the row; everyone else (another scheduler, a restart) gets false.
   */
  claim(args: { newsletter: string; date: string; scheduledAt: Date; holder: string; now: Date }): boolean {
    return writeTransaction(this.db, () => {
      const result = this.db
        .prepare(
          `INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, holder, heartbeat_at)
           VALUES (?, ?, 'running', ?, ?, ?, ?) ON CONFLICT (newsletter, edition_date) DO NOTHING`,
        )
        .run(args.newsletter, args.date, args.scheduledAt.toISOString(), args.now.toISOString(), args.holder, args.now.toISOString());
      return result.changes === 1;
    });
  }

  /** Records a firing nobody sent (the process was down past the grace window). Never overwrites a row. */
  recordMissed(args: { newsletter: string; date: string; scheduledAt: Date; now: Date; reason: string }): boolean {
    return writeTransaction(this.db, () => {
      const now = args.now.toISOString();
      const result = this.db
        .prepare(
          `INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, finished_at, reason)
           VALUES (?, ?, 'missed', ?, ?, ?, ?) ON CONFLICT (newsletter, edition_date) DO NOTHING`,
        )
        .run(args.newsletter, args.date, args.scheduledAt.toISOString(), now, now, args.reason);
      return result.changes === 1;
    });
  }

  /**
   * Takes over a `running` row whose holder is gone (crashed, or shut down mid-send). The compare on the
   * old holder and heartbeat makes it atomic: of two schedulers that both saw it stale, one wins.
   */
  takeOver(run: Run, holder: string, now: Date): boolean {
    return writeTransaction(this.db, () => {
      const result = this.db
        .prepare(
          `UPDATE runs SET holder = ?, heartbeat_at = ?
           WHERE newsletter = ? AND edition_date = ? AND state = 'running'
             AND holder IS ? AND heartbeat_at IS ?`,
        )
        .run(holder, now.toISOString(), run.newsletter, run.date, run.holder, run.heartbeatAt);
      return result.changes === 1;
    });
  }

  heartbeat(newsletter: string, date: string, holder: string, now: Date): void {
    writeTransaction(this.db, () =>
      this.db
        .prepare(`UPDATE runs SET heartbeat_at = ? WHERE newsletter = ? AND edition_date = ? AND holder = ? AND state = 'running'`)
        .run(now.toISOString(), newsletter, date, holder),
    );
  }

  /** Lets go of a run that is not finished (shutdown mid-send), so the next start resumes it at once. */
  release(newsletter: string, date: string, holder: string, reason: string, counts?: RunCounts): void {
    writeTransaction(this.db, () =>
      this.db
        .prepare(
          `UPDATE runs SET holder = NULL, heartbeat_at = NULL, reason = ?,
             total = COALESCE(?, total), sent = COALESCE(?, sent), failed = COALESCE(?, failed),
             deferred = COALESCE(?, deferred), skipped = COALESCE(?, skipped)
           WHERE newsletter = ? AND edition_date = ? AND holder = ? AND state = 'running'`,
        )
        .run(reason, counts?.total ?? null, counts?.sent ?? null, counts?.failed ?? null, counts?.deferred ?? null,
          counts?.skipped ?? null, newsletter, date, holder),
    );
  }

  /** Ends a run held by `holder`: done, skipped or failed, with counts and a reason. */
  finish(args: {
    newsletter: string;
    date: string;
    holder: string;
    state: Exclude<RunState, 'running' | 'missed'>;
    now: Date;
    reason?: string | null;
    counts?: RunCounts;
  }): void {
    const c = args.counts ?? { total: 0, sent: 0, failed: 0, deferred: 0, skipped: 0 };
    writeTransaction(this.db, () =>
      this.db
        .prepare(
          `UPDATE runs SET state = ?, finished_at = ?, reason = ?, total = ?, sent = ?, failed = ?, deferred = ?,
             skipped = ?, holder = NULL, heartbeat_at = NULL
           WHERE newsletter = ? AND edition_date = ? AND holder = ? AND state = 'running'`,
        )
        .run(args.state, args.now.toISOString(), args.reason ?? null, c.total, c.sent, c.failed, c.deferred, c.skipped,
          args.newsletter, args.date, args.holder),
    );
  }

  /** Updates the counts of a finished run after a retry of its deferred copies (or their expiry). */
  updateCounts(newsletter: string, date: string, counts: RunCounts, reason?: string | null): void {
    writeTransaction(this.db, () =>
      this.db
        .prepare(
          `UPDATE runs SET total = ?, sent = ?, failed = ?, deferred = ?, skipped = ?, reason = COALESCE(?, reason)
           WHERE newsletter = ? AND edition_date = ?`,
        )
        .run(counts.total, counts.sent, counts.failed, counts.deferred, counts.skipped, reason ?? null, newsletter, date),
    );
  }

  /** Rows in `running` state for a newsletter (at start: candidates to resume). */
  running(newsletter: string): Run[] {
    return (this.db
      .prepare(`SELECT * FROM runs WHERE newsletter = ? AND state = 'running' ORDER BY edition_date`)
      .all(newsletter) as RunRow[]).map(toRun);
  }

  /** Finished runs that still have deferred copies, oldest first. */
  withDeferred(newsletter: string): Run[] {
    return (this.db
      .prepare(`SELECT * FROM runs WHERE newsletter = ? AND state = 'done' AND deferred > 0 ORDER BY edition_date`)
      .all(newsletter) as RunRow[]).map(toRun);
  }

  /** The newest run of a newsletter, by edition date. */
  last(newsletter: string): Run | null {
    const row = this.db
      .prepare('SELECT * FROM runs WHERE newsletter = ? ORDER BY edition_date DESC LIMIT 1')
      .get(newsletter) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  /** Recent runs, newest edition first (for `daybreak runs`). */
  list(options: { limit?: number; newsletter?: string; state?: RunState } = {}): Run[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.newsletter) {
      where.push('newsletter = ?');
      params.push(options.newsletter);
    }
    if (options.state) {
      where.push('state = ?');
      params.push(options.state);
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY edition_date DESC, newsletter LIMIT ?`;
    return (this.db.prepare(sql).all(...params, options.limit ?? 20) as RunRow[]).map(toRun);
  }
}
