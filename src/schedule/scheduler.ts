import { isLocalTime, nextFiring, type Newsletter } from '../content/index.ts';
import { evaluateCron } from './cron-editions.ts';
import { nextWaveAt } from './due-times.ts';
import { readerZonesOf } from './edition-inputs.ts';
import { formatLocal, formatUtc } from './format-times.ts';
import { runWithLedger } from './run-with-ledger.ts';
import { endJoins, joinRunning } from './join-send.ts';
import { evaluateLocal } from './local-time-waves.ts';
import { createSchedulerContext, messageOf, type SchedulerContext } from './scheduler-context.ts';
import type { NewsletterStatus, Scheduler, SchedulerOptions, WaveStatus } from './scheduler-types.ts';
import { takeOverStale } from './take-over.ts';
import { waveStatus } from './wave-status.ts';

export type { EditionSendReport, EditionSender, SendLedgerCounts, SchedulerOptions, NewsletterStatus, WaveStatus, Scheduler } from './scheduler-types.ts';
export { waveStatus } from './wave-status.ts';

/**
 * The scheduler. Firing times come from croner (via src/content/schedule-times.ts) evaluated in
 * each newsletter's timezone; the timers are the injected clock's, so tests drive it with a ManualClock.
 *
 * Each firing belongs to an edition: the newsletter on the local date of the firing, sent at that date's
 * first firing. The run ledger row for (newsletter, date) is claimed with one INSERT in an IMMEDIATE
 * transaction, so across restarts and across processes on one database an edition starts once.
 *
 * It is made of units that share one SchedulerContext: the due-time computation (due-times.ts), the
 * evaluation of a cron newsletter (cron-editions.ts) or a local-time one (local-time-waves.ts), run
 * claiming, heartbeat and takeover (run-lease.ts, take-over.ts, missed-editions.ts), firing a send with
 * the pre-send gate (fire-edition.ts, gate-hold.ts), joining a send in progress (join-send.ts), and the
 * timers of deferred retries (deferred-retries.ts), whose timing and expiry delivery decides
 * (deferredRetry, editionExpired). This file arms each newsletter's next firing and answers
 * start/stop/tick/status.
 *
 * DST (croner's behaviour, which we keep): a local time that does not exist on the spring-forward day
 * (02:30 in America/New_York on 2026-03-08) fires once, at 03:00 local (07:00 UTC); a local time that
 * happens twice on the fall-back day (01:30 on 2026-11-01) fires once, at its first occurrence (EDT).
 *
 * @example
 * const scheduler = createScheduler({ runs: store.runs, config, loadContent, sender });
 * await scheduler.start();
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const ctx = createSchedulerContext(options);
  const { clock, ledger, newsletters, log } = ctx;
  const { config, sender } = options;
  let joinTimer: NodeJS.Timeout | null = null;
  let started = false;

  /**
   * Looks at one newsletter now: resumes a crashed run, starts (or records as missed) the current
   * edition or wave, joins an edition another instance is sending, keeps deferred retries armed, and arms
   * the timer for the next firing. Returns the work it started.
   */
  async function evaluate(newsletter: Newsletter): Promise<Promise<void>[]> {
    if (ctx.stopping) return [];
    const now = clock.now();
    if (isLocalTime(newsletter)) {
      const { work, zones } = await evaluateLocal(ctx, newsletter, now);
      // With no wave in the coming week, look again after maxSleepMs.
      armNext(newsletter, now, nextWaveAt(newsletter, now, zones) ?? undefined);
      return work;
    }
    const work = await evaluateCron(ctx, newsletter, now);
    const next = nextFiring(newsletter, now);
    if (next) armNext(newsletter, now, next);
    else clearNext(newsletter);
    return work;
  }

  function clearNext(newsletter: Newsletter): void {
    const existing = ctx.firingTimers.get(newsletter.id);
    if (existing) clock.clearTimer(existing);
  }

  /** Arms the newsletter's timer for `next` (undefined: just wake after maxSleepMs) and evaluates it then. */
  function armNext(newsletter: Newsletter, now: Date, next: Date | undefined): void {
    clearNext(newsletter);
    const delay = Math.min(next === undefined ? ctx.maxSleepMs : next.getTime() - now.getTime(), ctx.maxSleepMs);
    ctx.firingTimers.set(
      newsletter.id,
      clock.setTimer(() => {
        ctx.firingTimers.delete(newsletter.id);
        return evaluate(newsletter).then((work) => Promise.all(work)).then(() => {}, (error: unknown) => {
          log(`scheduler: ${messageOf(error)}`);
        });
      }, delay),
    );
  }

  return {
    holder: ctx.holder,
    ledger,
    async start() {
      if (started) return;
      started = true;
      if (options.joinPollMs) {
        // Real time: this notices sends other instances started, whatever the injected clock says.
        joinTimer = setInterval(() => {
          const watch = async (n: Newsletter) => {
            if (options.role !== 'worker') await takeOverStale(ctx, n);
            await joinRunning(ctx, n);
          };
          for (const n of newsletters) void watch(n).catch((error: unknown) => log(`scheduler: ${messageOf(error)}`));
        }, options.joinPollMs);
        // This poll is a worker's whole job, so it keeps the process alive (a dropped database connection
        // must not end it); beside a web server it must not keep a stopped instance alive.
        if (options.role !== 'worker') joinTimer.unref();
      }
      if (options.role === 'worker') {
        for (const n of newsletters) await joinRunning(ctx, n);
        return;
      }
      for (const n of newsletters) await evaluate(n);
    },
    async tick() {
      if (options.role === 'worker') {
        await Promise.all((await Promise.all(newsletters.map((n) => joinRunning(ctx, n)))).flat());
        return;
      }
      const work = await Promise.all(newsletters.map((n) => evaluate(n)));
      await Promise.all(work.flat());
    },
    idle: () => ctx.idle(),
    stop: (stopOptions) => stop(ctx, joinTimer, stopOptions),
    async status() {
      const now = clock.now();
      const lastRuns = await Promise.all(config.newsletters.map((n) => ledger.last(n.id)));
      return Promise.all(config.newsletters.map(async (n, i): Promise<NewsletterStatus> => {
        const local = isLocalTime(n);
        let next = nextFiring(n, now);
        let waves: WaveStatus[] | undefined;
        const row = lastRuns[i];
        const last = row ? runWithLedger(row, (await sender.ledgerCounts?.(n.id, row.date, now)) ?? null) : undefined;
        if (local) {
          next = nextWaveAt(n, now, await readerZonesOf(ctx, n));
          waves = last && sender.waves ? (await sender.waves(n.id, last.date, now)).map(waveStatus) : [];
        }
        return {
          id: n.id,
          name: n.name,
          timezone: n.schedule.timezone,
          // A local-time newsletter's cron is derived from localTime for internal use (edition dates and
          // windows); it is shown as configured, not as a pattern nobody wrote.
          ...(local ? {} : { cron: n.schedule.cron }),
          nextSendAt: next ? next.toISOString() : null,
          nextSendLocal: next ? formatLocal(next, n.schedule.timezone) : null,
          nextSendUtc: next ? formatUtc(next) : null,
          lastRun: last
            ? { date: last.date, state: last.state, total: last.total, sent: last.sent, failed: last.failed,
                deferred: last.deferred, skipped: last.skipped, expired: last.expired,
                startedAt: last.startedAt, finishedAt: last.finishedAt,
                reason: last.reason }
            : null,
          ...(local
            ? { localTime: n.schedule.localTime!, ...(n.schedule.days ? { days: n.schedule.days } : {}), schedule: describeLocalTime(n), waves: waves ?? [] }
            : {}),
        };
      }));
    },
  };
}

/** A local-time schedule in words, as configured: "06:30 in each reader's time zone (readers without one: America/New_York)". */
function describeLocalTime(n: Newsletter): string {
  const days = n.schedule.days ? `, on ${n.schedule.days.join(', ')}` : '';
  return `${n.schedule.localTime!} in each reader's time zone${days} (readers without one: ${n.schedule.timezone})`;
}

/**
 * Stops taking new work, clears every timer, asks sends in flight to finish their current SMTP
 * transactions (the abort signal), and waits for them up to `timeoutMs` of real time: it bounds a wait
 * on network I/O, whatever the injected clock says.
 */
async function stop(ctx: SchedulerContext, joinTimer: NodeJS.Timeout | null, { timeoutMs = 30_000 } = {}): Promise<{ finished: boolean }> {
  ctx.stopping = true;
  if (joinTimer) clearInterval(joinTimer);
  for (const t of ctx.firingTimers.values()) ctx.clock.clearTimer(t);
  for (const t of ctx.retryTimers.values()) ctx.clock.clearTimer(t.handle);
  ctx.firingTimers.clear();
  ctx.retryTimers.clear();
  ctx.abort.abort();
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    ctx.idle().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  endJoins(ctx, null, new Set(), 'stopped');
  return { finished };
}
