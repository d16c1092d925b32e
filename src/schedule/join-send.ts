import { isSkipped, type Newsletter } from '../content/index.ts';
import { editionExpired } from '../delivery/index.ts';
import { missedBefore } from './due-times.ts';
import { editionToSend } from './edition-inputs.ts';
import { isStale } from './run-lease.ts';
import { editionKey, messageOf, type SchedulerContext } from './scheduler-context.ts';

/**
 * Helps send an edition another instance runs: claims copies like any sender (the ledger's leases keep
 * every reader to one copy); the run row stays theirs, and they finish it. A worker calls this at every
 * poll while the run lasts, so the log says "joining" the first time only; what it sent is added up and
 * said once, when the send is over (endJoins).
 */
async function join(ctx: SchedulerContext, newsletter: Newsletter, date: string): Promise<void> {
  const { clock, log } = ctx;
  const k = editionKey(newsletter.id, date);
  if (ctx.joined.has(k) || ctx.active.has(k) || ctx.stopping) return;
  ctx.joined.add(k);
  try {
    const edition = await editionToSend(ctx, newsletter, date);
    if (isSkipped(edition)) return;
    let tally = ctx.helping.get(k);
    if (!tally) {
      tally = { newsletter: newsletter.id, date, sent: 0, failed: 0, deferred: 0, skipped: 0 };
      ctx.helping.set(k, tally);
      log(`${newsletter.id} ${date}: joining the send another instance is running`);
    }
    const missed = missedBefore(newsletter, clock.now());
    const report = await ctx.sender.send({ newsletterId: newsletter.id, date, edition, signal: ctx.abort.signal, retry: false, now: () => clock.now(), ...(missed ? { missedBefore: missed } : {}) });
    tally.sent += report.sent;
    tally.failed += report.failed;
    tally.skipped += report.skipped;
    // Deferred copies are the ledger's, not this call's: the latest figure, not a sum over polls.
    tally.deferred = report.deferred;
  } catch (error) {
    log(`${newsletter.id} ${date}: joining failed: ${messageOf(error)}`);
  } finally {
    ctx.joined.delete(k);
  }
}

/**
 * Says what this instance sent of each joined edition it is done with: the send is over (the run is no
 * longer running, another instance took it over, or its edition's time is over), or, with `all`, every
 * one (the scheduler is stopping). `stillJoining` holds the keys of the editions it goes on helping.
 *
 * @example
 * endJoins(ctx, 'morning', new Set(['morning/2026-03-08']), 'the send is over');
 */
export function endJoins(ctx: SchedulerContext, newsletter: string | null, stillJoining: Set<string>, why: string): void {
  for (const [k, t] of ctx.helping) {
    if ((newsletter !== null && t.newsletter !== newsletter) || stillJoining.has(k) || ctx.joined.has(k)) continue;
    ctx.helping.delete(k);
    ctx.log(`${t.newsletter} ${t.date}: joined: this instance sent ${t.sent}, failed ${t.failed}, deferred ${t.deferred}, skipped ${t.skipped} (${why})`);
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
  const joinable = new Set<string>();
  for (const run of await ctx.ledger.running(newsletter.id)) {
    const k = editionKey(run.newsletter, run.date);
    if (run.holder === ctx.holder || ctx.active.has(k) || isStale(ctx, run, now)) continue;
    if (editionExpired(newsletter, run.date, now)) continue;
    joinable.add(k);
    if (!ctx.joined.has(k)) work.push(ctx.track(join(ctx, newsletter, run.date)));
  }
  endJoins(ctx, newsletter.id, joinable, 'the send is over');
  return work;
}
