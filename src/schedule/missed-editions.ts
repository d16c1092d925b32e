import { localDate, type Newsletter } from '../content/index.ts';
import { nextEditionAt } from '../delivery/index.ts';
import { formatLocal, formatUtc } from './format-times.ts';
import type { SchedulerContext } from './scheduler-context.ts';

/**
 * Records `missed` the editions between the newsletter's last run and `date` (the current one) that
 * nobody ran: the process was down for more than a day. The ledger then has no silent holes; only the
 * current edition may still be sent. With no run at all yet there is no gap to fill (a fresh ledger).
 *
 * @example
 * await recordGap(ctx, newsletter, '2026-03-08', now);
 */
export async function recordGap(ctx: SchedulerContext, newsletter: Newsletter, date: string, now: Date): Promise<void> {
  const previous = await ctx.ledger.last(newsletter.id);
  if (!previous || previous.date >= date) return;
  const tz = newsletter.schedule.timezone;
  let at = nextEditionAt(newsletter, previous.date);
  for (let n = 0; at && n < 366; n++) {
    const d = localDate(at, tz);
    if (d >= date) break;
    const reason = `not running at ${formatLocal(at, tz)} (${formatUtc(at)}); by the time it came back the edition of ${date} was due, so this one was not sent (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${d}\`)`;
    await recordMissed(ctx, newsletter, d, at, now, reason);
    at = nextEditionAt(newsletter, d);
  }
}

/**
 * Records one edition nobody sent, with why, unless it was due before the ledger existed (Daybreak was
 * not installed yet, so it was never missed) or its run row exists. Logs it when recorded.
 *
 * @example
 * await recordMissed(ctx, newsletter, date, sendAt, now, reason, { unlessBeforeInstall: true });
 */
export async function recordMissed(
  ctx: SchedulerContext,
  newsletter: Newsletter,
  date: string,
  scheduledAt: Date,
  now: Date,
  reason: string,
  options: { unlessBeforeInstall?: boolean } = {},
): Promise<void> {
  const since = ctx.options.ledgerSince;
  if (options.unlessBeforeInstall && since !== undefined && scheduledAt.getTime() < since.getTime()) return;
  if (await ctx.ledger.recordMissed({ newsletter: newsletter.id, date, scheduledAt, now, reason })) {
    ctx.log(`${newsletter.id} ${date}: missed: ${reason}`);
  }
}
