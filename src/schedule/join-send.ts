import { isSkipped, type Newsletter } from '../content/index.ts';
import { editionExpired } from '../delivery/index.ts';
import { missedBefore } from './due-times.ts';
import { editionToSend } from './edition-inputs.ts';
import { isStale } from './run-lease.ts';
import { editionKey, messageOf, type SchedulerContext } from './scheduler-context.ts';

/**
 * Helps send an edition another instance runs: claims copies like any sender (the ledger's leases keep
 * every reader to one copy); the run row stays theirs, and they finish it.
 */
async function join(ctx: SchedulerContext, newsletter: Newsletter, date: string): Promise<void> {
  const { clock, log } = ctx;
  const k = editionKey(newsletter.id, date);
  if (ctx.joined.has(k) || ctx.active.has(k) || ctx.stopping) return;
  ctx.joined.add(k);
  try {
    const edition = await editionToSend(ctx, newsletter, date);
    if (isSkipped(edition)) return;
    log(`${newsletter.id} ${date}: joining the send another instance is running`);
    const missed = missedBefore(newsletter, clock.now());
    const report = await ctx.sender.send({ newsletterId: newsletter.id, date, edition, signal: ctx.abort.signal, retry: false, now: () => clock.now(), ...(missed ? { missedBefore: missed } : {}) });
    log(`${newsletter.id} ${date}: joined: this instance sent ${report.sent}, failed ${report.failed}, deferred ${report.deferred}, skipped ${report.skipped}`);
  } catch (error) {
    log(`${newsletter.id} ${date}: joining failed: ${messageOf(error)}`);
  } finally {
    ctx.joined.delete(k);
  }
}

/**
 * Joins every current edition another live instance is sending now (what `daybreak worker` does, on a
 * timer): not our own runs, not stale ones (those are taken over), not editions whose time is over.
 * Returns the work it started.
 *
 * @example
 * work.push(...(await joinRunning(ctx, newsletter)));
 */
export async function joinRunning(ctx: SchedulerContext, newsletter: Newsletter): Promise<Promise<void>[]> {
  if (ctx.stopping) return [];
  const now = ctx.clock.now();
  const work: Promise<void>[] = [];
  for (const run of await ctx.ledger.running(newsletter.id)) {
    const k = editionKey(run.newsletter, run.date);
    if (run.holder === ctx.holder || ctx.active.has(k) || ctx.joined.has(k) || isStale(ctx, run, now)) continue;
    if (editionExpired(newsletter, run.date, now)) continue;
    work.push(ctx.track(join(ctx, newsletter, run.date)));
  }
  return work;
}
