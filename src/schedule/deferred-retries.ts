import { isSkipped, type Newsletter } from '../content/index.ts';
import { deferredRetry, editionExpired } from '../delivery/index.ts';
import { editionToSend } from './edition-inputs.ts';
import { countsAfter } from './run-results.ts';
import { editionKey, messageOf, type SchedulerContext } from './scheduler-context.ts';
import { plural } from '../plural.ts';

/**
 * Arms (or keeps) the timer for an edition's deferred copies at the time delivery's retry policy gives
 * (deferredRetry: a doubling wait, never past the next edition). An earlier timer already armed is kept.
 * When the edition has expired the timer fires at once, and the retry expires the copies.
 *
 * @example
 * if (counts.deferred > 0) await armRetry(ctx, newsletter, date, ctx.clock.now());
 */
export async function armRetry(ctx: SchedulerContext, newsletter: Newsletter, date: string, now: Date): Promise<void> {
  if (ctx.stopping) return;
  const k = editionKey(newsletter.id, date);
  // Delivery's policy says when; the scheduler only keeps the timer.
  const next = deferredRetry({
    newsletter,
    date,
    now,
    attempt: ctx.retryAttempts.get(k) ?? 0,
    recorded: (await ctx.sender.nextDeferredAttempt?.(newsletter.id, date)) ?? null,
    bounds: { minMs: ctx.options.retryMinMs, maxMs: ctx.options.retryMaxMs },
  });
  const at = next.at.getTime();
  const existing = ctx.retryTimers.get(k);
  if (existing) {
    if (existing.at <= at) return;
    ctx.clock.clearTimer(existing.handle);
  }
  const handle = ctx.clock.setTimer(() => {
    ctx.retryTimers.delete(k);
    return ctx.track(retryDeferred(ctx, newsletter, date));
  }, Math.min(at - now.getTime(), ctx.maxSleepMs));
  ctx.retryTimers.set(k, { handle, at, attempt: ctx.retryAttempts.get(k) ?? 0 });
}

/**
 * Retries a finished run's deferred copies through the send ledger, or expires them once the next
 * edition has begun; updates the run's counts either way, and re-arms the timer while copies are left.
 *
 * @example
 * ctx.track(retryDeferred(ctx, newsletter, '2026-03-08'));
 */
export async function retryDeferred(ctx: SchedulerContext, newsletter: Newsletter, date: string): Promise<void> {
  const { ledger, sender, clock, log } = ctx;
  if (ctx.stopping) return;
  const k = editionKey(newsletter.id, date);
  const run = await ledger.get(newsletter.id, date);
  if (!run || run.state !== 'done' || run.deferred === 0 || ctx.active.has(k)) return;
  const now = clock.now();
  if (editionExpired(newsletter, date, now)) {
    const n = sender.expireDeferred ? await sender.expireDeferred(newsletter.id, date) : 0;
    const fromLedger = (await sender.ledgerCounts?.(newsletter.id, date)) ?? null;
    // The next edition's send may have expired them first (sendEdition does so as it starts): count
    // from the ledger, not from this call.
    const expired = fromLedger ? fromLedger.expired : n;
    const counts = fromLedger ?? { ...run, skipped: run.skipped + run.deferred, deferred: 0 };
    await ledger.updateCounts(newsletter.id, date, counts, `${plural(expired, 'deferred copy', 'deferred copies')} expired when the next edition began`);
    log(`${newsletter.id} ${date}: ${plural(expired, 'deferred copy', 'deferred copies')} expired (the next edition has begun)`);
    ctx.retryAttempts.delete(k);
    return;
  }
  const recorded = (await sender.nextDeferredAttempt?.(newsletter.id, date)) ?? null;
  if (recorded && recorded.getTime() > now.getTime()) {
    await armRetry(ctx, newsletter, date, now);
    return;
  }
  ctx.active.add(k);
  try {
    ctx.retryAttempts.set(k, (ctx.retryAttempts.get(k) ?? 0) + 1);
    const edition = await editionToSend(ctx, newsletter, date);
    if (isSkipped(edition)) return;
    log(`${newsletter.id} ${date}: retrying ${plural(run.deferred, 'deferred copy', 'deferred copies')}`);
    const report = await sender.send({ newsletterId: newsletter.id, date, edition, signal: ctx.abort.signal, retry: true });
    const counts = await countsAfter(ctx, newsletter.id, date, report);
    // A retry's report covers only the retried copies; without a send ledger, add them to the run's.
    const merged = (await sender.ledgerCounts?.(newsletter.id, date))
      ? counts
      : { total: run.total, sent: run.sent + report.sent, failed: run.failed + report.failed, deferred: report.deferred, skipped: run.skipped + report.skipped };
    await ledger.updateCounts(newsletter.id, date, merged, merged.deferred > 0 ? `${plural(merged.deferred, 'copy', 'copies')} deferred; retried until the next edition` : 'deferred copies delivered on retry');
    log(`${newsletter.id} ${date}: retry: ${merged.sent} sent, ${merged.deferred} still deferred`);
    if (merged.deferred > 0) await armRetry(ctx, newsletter, date, clock.now());
  } catch (error) {
    log(`${newsletter.id} ${date}: retry failed: ${messageOf(error)}`);
    await armRetry(ctx, newsletter, date, clock.now());
  } finally {
    ctx.active.delete(k);
  }
}

/**
 * Keeps every finished run of the newsletter that still has deferred copies on a retry timer; expires
 * at once the copies of editions whose time is over. Returns the work it started.
 *
 * @example
 * work.push(...(await keepDeferredArmed(ctx, newsletter, now)));
 */
export async function keepDeferredArmed(ctx: SchedulerContext, newsletter: Newsletter, now: Date): Promise<Promise<void>[]> {
  const work: Promise<void>[] = [];
  for (const run of await ctx.ledger.withDeferred(newsletter.id)) {
    if (editionExpired(newsletter, run.date, now)) work.push(ctx.track(retryDeferred(ctx, newsletter, run.date)));
    else await armRetry(ctx, newsletter, run.date, now);
  }
  return work;
}
