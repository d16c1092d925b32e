import { writeTransaction, type Db } from '../db/index.ts';
import type { RunCounts } from './run-ledger.ts';

export interface SendLedgerCounts extends RunCounts {
  /** Copies not yet attempted or in flight: more than zero after a send returns means it was cut short. */
  pending: number;
  /** Copies that expired unsent when the next edition began (counted in `skipped` too). */
  expired: number;
}

/**
 * The run's counts as the send ledger (issue 4's `sends` table) has them: the ground truth after a resume
 * or a retry, where one call's report only covers that call. Null when the edition has no rows yet.
 */
export function sendLedgerCounts(db: Db, newsletter: string, date: string): SendLedgerCounts | null {
  const rows = db
    .prepare('SELECT state, COUNT(*) AS n FROM sends WHERE newsletter = ? AND edition_date = ? GROUP BY state')
    .all(newsletter, date) as { state: string; n: number }[];
  if (rows.length === 0) return null;
  const by = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
  return {
    total: rows.reduce((sum, r) => sum + r.n, 0),
    sent: by('sent'),
    failed: by('failed'),
    deferred: by('deferred'),
    skipped: by('skipped') + by('expired'),
    pending: by('queued') + by('sending'),
    expired: by('expired'),
  };
}

/** The earliest `next_attempt_at` among the edition's deferred copies, if the sender recorded one. */
export function nextDeferredAttempt(db: Db, newsletter: string, date: string): Date | null {
  const row = db
    .prepare(`SELECT MIN(next_attempt_at) AS at FROM sends WHERE newsletter = ? AND edition_date = ? AND state = 'deferred'`)
    .get(newsletter, date) as { at: string | null } | undefined;
  return row?.at ? new Date(row.at) : null;
}

/**
 * Deferred copies of an edition expire when the newsletter's next edition begins (issue 4): yesterday's
 * briefing is not worth delivering late. Returns how many expired.
 */
export function expireDeferred(db: Db, newsletter: string, date: string, now: Date): number {
  return writeTransaction(db, () =>
    db
      .prepare(
        `UPDATE sends SET state = 'expired', updated_at = ?, next_attempt_at = NULL
         WHERE newsletter = ? AND edition_date = ? AND state = 'deferred'`,
      )
      .run(now.toISOString(), newsletter, date).changes,
  );
}
