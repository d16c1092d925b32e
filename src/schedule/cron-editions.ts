import type { Newsletter } from '../content/index.ts';
import { keepDeferredArmed } from './deferred-retries.ts';
import { currentEdition } from './due-times.ts';
import { fireEdition } from './fire-edition.ts';
import { formatLocal, formatUtc } from './format-times.ts';
import { joinRunning } from './join-send.ts';
import { recordGap, recordMissed } from './missed-editions.ts';
import type { SchedulerContext } from './scheduler-context.ts';
import { takeOverStale } from './take-over.ts';
import { plural } from '../plural.ts';

const MINUTE = 60_000;

/**
 * Looks at a cron-scheduled newsletter at `now`:
 * 1. takes over runs left `running` by a process that died (or shut down mid-send);
 * 2. the current edition: records the days in between as missed after a long outage, then, when its
 *    run row does not exist yet, claims it and fires the send, or records it missed when it is past the
 *    grace window. Of several instances on one database, the one whose INSERT creates the run row sends
 *    it; the others join;
 * 3. joins editions another instance is sending;
 * 4. keeps the deferred copies of finished runs on their retry timers until the next edition.
 * Returns the work it started.
 *
 * @example
 * const work = await evaluateCron(ctx, newsletter, ctx.clock.now());
 */
export async function evaluateCron(ctx: SchedulerContext, newsletter: Newsletter, now: Date): Promise<Promise<void>[]> {
  const work: Promise<void>[] = [];
  const tz = newsletter.schedule.timezone;
  work.push(...(await takeOverStale(ctx, newsletter)));

  const current = currentEdition(newsletter, now);
  if (current) {
    const { date, sendAt } = current;
    await recordGap(ctx, newsletter, date, now);
    if (!(await ctx.ledger.get(newsletter.id, date))) {
      const lateMs = now.getTime() - sendAt.getTime();
      if (lateMs > newsletter.schedule.graceMinutes * MINUTE) {
        const lateMinutes = Math.round(lateMs / MINUTE);
        const reason = `not running at ${formatLocal(sendAt, tz)} (${formatUtc(sendAt)}); back ${plural(lateMinutes, 'minute')} later, past the ${newsletter.schedule.graceMinutes}-minute grace window, so it was not sent (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`;
        await recordMissed(ctx, newsletter, date, sendAt, now, reason, { unlessBeforeInstall: true });
      } else if (await ctx.ledger.claim({ newsletter: newsletter.id, date, scheduledAt: sendAt, holder: ctx.holder, now })) {
        work.push(ctx.track(fireEdition(ctx, newsletter, date, lateMs > 1000 ? 'catch-up' : 'on time')));
      }
    }
  }
  work.push(...(await joinRunning(ctx, newsletter)));
  work.push(...(await keepDeferredArmed(ctx, newsletter, now)));
  return work;
}
