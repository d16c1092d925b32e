import { isLocalTime, type Newsletter } from '../content/index.ts';
import type { RunCounts } from './run-ledger.ts';
import type { SchedulerContext } from './scheduler-context.ts';
import type { EditionSendReport, SendLedgerCounts } from './scheduler-types.ts';
import { plural } from '../plural.ts';

/** A run's counts after a send, and the copies still pending (more than zero: the send was cut short). */
export type CountsAfter = SendLedgerCounts | (RunCounts & { pending: number });

/**
 * The edition's counts after a send, as the send ledger has them; from the send's report when the sender
 * keeps no ledger (or it has no rows yet).
 *
 * @example
 * const counts = await countsAfter(ctx, 'morning', '2026-03-08', report);
 */
export async function countsAfter(ctx: SchedulerContext, newsletter: string, date: string, report: EditionSendReport | null): Promise<CountsAfter> {
  const fromLedger = (await ctx.sender.ledgerCounts?.(newsletter, date, ctx.clock.now())) ?? null;
  if (fromLedger) return fromLedger;
  const r = report ?? { total: 0, sent: 0, failed: 0, deferred: 0, skipped: 0 };
  const done = r.sent + r.failed + r.deferred + r.skipped + (r.alreadySent ?? 0);
  return { total: r.total, sent: r.sent + (r.alreadySent ?? 0), failed: r.failed, deferred: r.deferred, skipped: r.skipped,
    pending: r.interrupted ? Math.max(1, r.total - done) : 0 };
}

/**
 * The run's reason after a send: deferred copies, and readers whose local time is still to come.
 *
 * @example
 * reasonAfter(newsletter, counts); // '3 copies deferred; retried until the next edition'
 */
export function reasonAfter(newsletter: Newsletter, counts: CountsAfter): string | null {
  const parts: string[] = [];
  if (counts.deferred > 0) parts.push(`${plural(counts.deferred, 'copy', 'copies')} deferred; retried until the next edition`);
  const waiting = 'waiting' in counts ? (counts.waiting ?? 0) : 0;
  if (waiting > 0) parts.push(`${plural(waiting, 'reader')} waiting for their local ${newsletter.schedule.localTime}`);
  const expired = expiredOf(counts);
  if (expired > 0) parts.push(`${plural(expired, 'copy', 'copies')} expired unsent: their wave's time passed while no scheduler was running, past the ${newsletter.schedule.graceMinutes}-minute grace window`);
  // Said outright for local-time runs, as it replaces the "waiting" of the waves before.
  if (parts.length === 0 && isLocalTime(newsletter)) parts.push('every wave sent');
  return parts.length > 0 ? parts.join('; ') : null;
}

/** The copies of `counts` that expired (a local-time wave missed past its grace window); they are in `skipped` too. */
function expiredOf(counts: CountsAfter): number {
  return 'expired' in counts ? counts.expired : 0;
}

/**
 * The words for a run's counts in the log, expired copies apart from skipped ones (the run ledger counts
 * both as skipped); `earlier`: copies sent before this run began.
 *
 * @example
 * doneLine(counts, 0); // 'done, 3 sent, 0 failed, 0 deferred, 0 skipped, 2 expired (their wave's time had passed) of 5'
 */
export function doneLine(counts: CountsAfter, earlier: number): string {
  const expired = expiredOf(counts);
  const waiting = 'waiting' in counts ? (counts.waiting ?? 0) : 0;
  return `done, ${counts.sent} sent${earlier > 0 ? ` (${earlier} of them by an earlier run)` : ''}, ${counts.failed} failed, ${counts.deferred} deferred, ${counts.skipped - expired} skipped`
    + `${expired > 0 ? `, ${expired} expired (their wave's time had passed)` : ''} of ${counts.total}${waiting > 0 ? `, ${waiting} waiting for a later wave` : ''}`;
}
