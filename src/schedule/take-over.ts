import type { Newsletter } from '../content/index.ts';
import { editionExpired } from '../delivery/index.ts';
import { fireEdition } from './fire-edition.ts';
import { isStale } from './run-lease.ts';
import { editionKey, type SchedulerContext } from './scheduler-context.ts';

/**
 * Takes over runs whose holder stopped renewing its heartbeat (it died, or shut down mid-send): resumes
 * them through the send ledger while the edition is still current, and closes an edition whose
 * successor has begun instead. Of several instances that see a run stale at once, the ledger's takeOver
 * lets one win. Returns the work it started.
 *
 * @example
 * work.push(...(await takeOverStale(ctx, newsletter)));
 */
export async function takeOverStale(ctx: SchedulerContext, newsletter: Newsletter): Promise<Promise<void>[]> {
  const { ledger, sender, holder, log } = ctx;
  if (ctx.stopping) return [];
  const now = ctx.clock.now();
  const work: Promise<void>[] = [];
  for (const run of await ledger.running(newsletter.id)) {
    const k = editionKey(run.newsletter, run.date);
    // While we help send it, the join finishes the copies; the run is taken over after, if still stale.
    if (ctx.active.has(k) || ctx.joined.has(k) || !isStale(ctx, run, now)) continue;
    if (!(await ledger.takeOver(run, holder, now))) continue;
    if (editionExpired(newsletter, run.date, now)) {
      const counts = (await sender.ledgerCounts?.(newsletter.id, run.date)) ?? run;
      await ledger.finish({ newsletter: newsletter.id, date: run.date, holder, state: 'failed', now, counts,
        reason: `interrupted mid-send and not resumed: the next edition had begun when the scheduler came back (send by hand with \`daybreak send --newsletter ${newsletter.id} --date ${run.date}\`)` });
      log(`${newsletter.id} ${run.date}: interrupted run closed as failed (its next edition has begun)`);
      continue;
    }
    log(`${newsletter.id} ${run.date}: resuming a run interrupted mid-send (the send ledger skips copies already sent)`);
    work.push(ctx.track(fireEdition(ctx, newsletter, run.date, 'resume')));
  }
  return work;
}
