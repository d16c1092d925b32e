import type { TimerHandle } from './clock.ts';
import type { Run } from './run-ledger.ts';
import { editionKey, type SchedulerContext } from './scheduler-context.ts';

/**
 * Whether a `running` row's holder is gone, so the run may be taken over: nobody holds it; we hold it
 * but are not sending it (a restart with a fixed holder name); or another scheduler's heartbeat is older
 * than the lease. Each instance's clock is assumed to be within a fraction of the lease of the others
 * (NTP), as every heartbeat is written by its own.
 *
 * @example
 * if (isStale(ctx, run, ctx.clock.now())) await ctx.ledger.takeOver(run, ctx.holder, now);
 */
export function isStale(ctx: SchedulerContext, run: Run, now: Date): boolean {
  if (run.holder === null) return true;
  if (run.holder === ctx.holder) return !ctx.active.has(editionKey(run.newsletter, run.date));
  return !run.heartbeatAt || now.getTime() - Date.parse(run.heartbeatAt) > ctx.leaseMs;
}

/**
 * Renews this scheduler's heartbeat on a run it holds, every quarter of the lease (at least every
 * second), while the edition is being sent here. Returns the function that stops it.
 *
 * @example
 * const stopBeating = keepHeartbeat(ctx, 'morning', '2026-03-08');
 * try { await send(); } finally { stopBeating(); }
 */
export function keepHeartbeat(ctx: SchedulerContext, newsletter: string, date: string): () => void {
  const k = editionKey(newsletter, date);
  let beat: TimerHandle | null = null;
  const next = () => {
    beat = ctx.clock.setTimer(() => {
      if (!ctx.active.has(k)) return;
      void ctx.ledger.heartbeat(newsletter, date, ctx.holder, ctx.clock.now()).catch(() => {});
      next();
    }, Math.max(1000, Math.floor(ctx.leaseMs / 4)));
  };
  next();
  return () => {
    if (beat) ctx.clock.clearTimer(beat);
  };
}
