import { datesAround, goesOutOn, isSkipped, localTimeOn, waveTimes, type Newsletter } from '../content/index.ts';
import { armRetry, keepDeferredArmed } from './deferred-retries.ts';
import { missedBefore } from './due-times.ts';
import { editionToSend, readerZonesOf } from './edition-inputs.ts';
import { fireEdition } from './fire-edition.ts';
import { formatUtc } from './format-times.ts';
import { joinRunning } from './join-send.ts';
import { recordGap, recordMissed } from './missed-editions.ts';
import { countsAfter, reasonAfter } from './run-results.ts';
import { editionKey, messageOf, type SchedulerContext } from './scheduler-context.ts';
import { takeOverStale } from './take-over.ts';

const MINUTE = 60_000;

/** A later wave of a local-time edition whose run is done: sends the copies whose time has come. */
async function sendWave(ctx: SchedulerContext, newsletter: Newsletter, date: string): Promise<void> {
  const { clock, log } = ctx;
  const k = editionKey(newsletter.id, date);
  if (ctx.stopping || ctx.active.has(k)) return;
  ctx.active.add(k);
  try {
    const edition = await editionToSend(ctx, newsletter, date);
    if (isSkipped(edition)) return;
    const missed = missedBefore(newsletter, clock.now());
    const expiredBefore = (await ctx.sender.ledgerCounts?.(newsletter.id, date, clock.now()))?.expired ?? 0;
    const report = await ctx.sender.send({ newsletterId: newsletter.id, date, edition, signal: ctx.abort.signal, retry: true, now: () => clock.now(), ...(missed ? { missedBefore: missed } : {}) });
    const counts = await countsAfter(ctx, newsletter.id, date, report);
    await ctx.ledger.updateCounts(newsletter.id, date, counts, reasonAfter(newsletter, counts));
    // Copies of a wave missed past the grace window expire as this send starts (the send ledger's
    // `expired`); they are not in the report, so they are counted from the ledger.
    const expired = 'expired' in counts ? counts.expired - expiredBefore : 0;
    if (report.sent + report.failed + report.skipped + expired > 0) {
      log(`${newsletter.id} ${date}: wave sent: ${report.sent} sent, ${report.failed} failed${report.skipped ? `, ${report.skipped} skipped` : ''}`
        + `${expired > 0 ? `, ${expired} expired (their wave's time had passed)` : ''}${'waiting' in counts && counts.waiting ? `, ${counts.waiting} waiting for a later wave` : ', no reader waiting'}`);
    }
    if (counts.deferred > 0) await armRetry(ctx, newsletter, date, clock.now());
  } catch (error) {
    log(`${newsletter.id} ${date}: wave failed: ${messageOf(error)} (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`);
  } finally {
    ctx.active.delete(k);
  }
}

/**
 * A local-time newsletter at `now`. Each edition date D has waves: `schedule.localTime` on D in each zone
 * its readers live in (zones sharing D's UTC offset share one). The first wave due claims the run row
 * (one instance per database), assembles and pins the edition, queues every reader with their due time
 * and sends the due ones; each later wave sends the copies whose time has come. A wave found more than
 * graceMinutes late is missed (its copies expire with the reason), as a late firing is for cron. Returns
 * the work it started and the readers' zones (for arming the next wave).
 *
 * @example
 * const { work, zones } = await evaluateLocal(ctx, newsletter, ctx.clock.now());
 */
export async function evaluateLocal(ctx: SchedulerContext, newsletter: Newsletter, now: Date): Promise<{ work: Promise<void>[]; zones: string[] }> {
  const { ledger } = ctx;
  const work: Promise<void>[] = [];
  const graceMs = newsletter.schedule.graceMinutes * MINUTE;
  work.push(...(await takeOverStale(ctx, newsletter)));
  const zones = await readerZonesOf(ctx, newsletter);
  const dates = datesAround(now).filter((d) => goesOutOn(newsletter, d));
  for (const date of dates) {
    const waves = waveTimes(newsletter, date, zones);
    const due = waves.filter((w) => w.getTime() <= now.getTime());
    if (due.length === 0) continue;
    const run = await ledger.get(newsletter.id, date);
    if (!run) {
      const fresh = due.filter((w) => now.getTime() - w.getTime() <= graceMs);
      const ahead = waves.length > due.length;
      if (fresh.length === 0) {
        if (ahead) continue; // the next wave starts the edition; readers of the missed ones are recorded then
        const last = due[due.length - 1]!;
        const reason = `not running at any of its ${waves.length} local ${newsletter.schedule.localTime} waves (the last at ${formatUtc(last)}); back past the ${newsletter.schedule.graceMinutes}-minute grace window, so it was not sent (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`;
        await recordMissed(ctx, newsletter, date, waves[0]!, now, reason, { unlessBeforeInstall: true });
        continue;
      }
      // Days before the ones whose waves may still come: the dates in between are handled here.
      await recordGap(ctx, newsletter, dates[0]!, now);
      const at = fresh[0]!;
      if (await ledger.claim({ newsletter: newsletter.id, date, scheduledAt: at, holder: ctx.holder, now })) {
        work.push(ctx.track(fireEdition(ctx, newsletter, date, now.getTime() - at.getTime() > 1000 ? 'catch-up' : 'on time')));
      }
      continue;
    }
    if (run.state !== 'done') continue; // running (here or elsewhere: joined below), missed, skipped, failed
    const stored = (await ctx.sender.waves?.(newsletter.id, date, now)) ?? [];
    const dueNow = stored.some((w) => w.due > 0);
    // A zone whose time has come with no copy timed for it: readers moved there since the first wave
    // (their copies are re-timed when the wave is sent).
    const timed = new Set(stored.map((w) => w.dueAt));
    const localTime = newsletter.schedule.localTime!;
    const movedIn = stored.some((w) => w.waiting > 0) && zones.some((z) => {
      const at = localTimeOn(date, localTime, z);
      return at.getTime() <= now.getTime() && now.getTime() - at.getTime() <= graceMs && !timed.has(at.toISOString());
    });
    if (dueNow || movedIn) work.push(ctx.track(sendWave(ctx, newsletter, date)));
  }
  work.push(...(await joinRunning(ctx, newsletter)));
  work.push(...(await keepDeferredArmed(ctx, newsletter, now)));
  return { work, zones };
}
