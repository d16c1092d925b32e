import { isSkipped, type Newsletter } from '../content/index.ts';
import { armRetry } from './deferred-retries.ts';
import { missedBefore } from './due-times.ts';
import { editionToSend } from './edition-inputs.ts';
import { holdIfGateFails } from './gate-hold.ts';
import { keepHeartbeat } from './run-lease.ts';
import { countsAfter, doneLine, reasonAfter } from './run-results.ts';
import { editionKey, messageOf, type SchedulerContext } from './scheduler-context.ts';
import type { EditionSendReport } from './scheduler-types.ts';
import { plural } from '../plural.ts';

/**
 * Sends an edition whose run this scheduler holds (claimed on time, caught up, or taken over), to the end:
 * - no articles in its window: the run is finished `skipped`;
 * - the pre-send gate fails (not on a resume): `held`;
 * - stopped by shutdown with copies left: the run is released, and the next start resumes it;
 * - paused on policy refusals: `failed`, for a person to fix the cause and send the rest by hand;
 * - otherwise `done`, with its counts, and the retry timer armed for deferred copies.
 * The heartbeat is kept while it runs, so other instances do not take it over.
 *
 * @example
 * ctx.track(fireEdition(ctx, newsletter, '2026-03-08', 'on time'));
 */
export async function fireEdition(ctx: SchedulerContext, newsletter: Newsletter, date: string, how: 'on time' | 'catch-up' | 'resume'): Promise<void> {
  const { ledger, sender, clock, holder, log } = ctx;
  const k = editionKey(newsletter.id, date);
  ctx.active.add(k);
  const stopBeating = keepHeartbeat(ctx, newsletter.id, date);
  try {
    const edition = await editionToSend(ctx, newsletter, date);
    if (isSkipped(edition)) {
      const reason = `no articles published between ${edition.window.from.toISOString()} and ${edition.window.to.toISOString()}`;
      await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'skipped', now: clock.now(), reason });
      log(`${newsletter.id} ${date}: skipped, ${reason}`);
      return;
    }
    if (how !== 'resume' && (await holdIfGateFails(ctx, newsletter, date, edition))) return;
    log(`${newsletter.id} ${date}: sending (${how}) "${edition.subject}"`);
    let report: EditionSendReport | null = null;
    let error: unknown = null;
    try {
      const missed = missedBefore(newsletter, clock.now());
      report = await sender.send({ newsletterId: newsletter.id, date, edition, signal: ctx.abort.signal, retry: false, now: () => clock.now(), ...(missed ? { missedBefore: missed } : {}) });
    } catch (e) {
      error = e;
    }
    const counts = await countsAfter(ctx, newsletter.id, date, report);
    if (ctx.abort.signal.aborted && (counts.pending > 0 || report?.interrupted || error)) {
      const reason = `stopped by shutdown with ${plural(counts.pending, 'copy', 'copies')} still queued; resumes at the next start`;
      await ledger.release(newsletter.id, date, holder, reason, counts);
      log(`${newsletter.id} ${date}: ${reason}`);
      return;
    }
    if (error) throw error;
    if (report?.paused) {
      // The server refuses us (authentication, reputation, rate): retrying on a timer would only make
      // it worse. A person fixes the cause and sends the rest by hand.
      const reason = `${report.paused} (send the rest with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`;
      await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'failed', now: clock.now(), counts, reason });
      log(`${newsletter.id} ${date}: paused: ${reason}`);
      return;
    }
    const earlier = report?.alreadySent ?? 0;
    const nothingNew = report !== null && report.sent + report.failed + report.deferred + report.skipped === 0 && counts.pending === 0;
    if (earlier > 0 && nothingNew && !('waiting' in counts && counts.waiting)) {
      // Sent before this run began (`daybreak send` by hand, say), or, when a run is resumed, before it
      // stopped: the ledger kept every reader to one copy, so the run only records that; its counts stay
      // the edition's.
      const when = how === 'resume' ? 'before this run resumed' : 'by an earlier run';
      await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'done', now: clock.now(), counts,
        reason: `already sent ${when} (${earlier} of ${plural(counts.total, 'copy', 'copies')}); nothing was sent again` });
      log(`${newsletter.id} ${date}: already sent ${when}: ${earlier} of ${counts.total}; nothing to send`);
      return;
    }
    await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'done', now: clock.now(), counts, reason: reasonAfter(newsletter, counts) });
    log(`${newsletter.id} ${date}: ${doneLine(counts, earlier)}`);
    if (counts.deferred > 0) await armRetry(ctx, newsletter, date, clock.now());
  } catch (error) {
    const message = messageOf(error);
    await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'failed', now: clock.now(), reason: message,
      counts: await countsAfter(ctx, newsletter.id, date, null) });
    log(`${newsletter.id} ${date}: failed: ${message} (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`);
  } finally {
    ctx.active.delete(k);
    stopBeating();
  }
}
