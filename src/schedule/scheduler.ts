import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readerZone } from '../audience/index.ts';
import {
  assembleEdition,
  datesAround,
  goesOutOn,
  isLocalTime,
  localTimeOn,
  waveTimes,
  isSkipped,
  localDate,
  nextFiring,
  previousFiring,
  sendTimeOn,
  startOfLocalDate,
  type Config,
  type Content,
  type Edition,
  type Newsletter,
} from '../content/index.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { addDays, formatLocal, formatUtc } from './format-times.ts';
import type { Run, RunCounts, RunLedger } from './run-ledger.ts';
import type { Wave } from '../delivery/index.ts';

/** What one call of the sender reports; the shape of SendReport (extra fields are ignored). */
export interface EditionSendReport {
  total: number;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
  alreadySent?: number;
  /** True when the send stopped early because `signal` was aborted (copies left queued). */
  interrupted?: boolean;
  /** Set when the send paused on policy refusals (delivery.maxPolicyErrors): the run fails with it. */
  paused?: string;
}

/**
 * The sending the scheduler needs, declared here and plugged in by main.ts (sendEdition).
 * `send` must be safe to call again for the same edition: the send ledger skips copies already sent and
 * retries deferred ones. When `signal` aborts it should stop taking new copies, let the SMTP transactions
 * in flight finish, and return (or throw) with the rest left queued.
 */
export interface EditionSender {
  send(args: {
    newsletterId: string;
    date: string;
    edition: Edition;
    signal: AbortSignal;
    retry: boolean;
    /** Local-time delivery: copies due before this instant are missed (past the grace window), not sent. */
    missedBefore?: Date;
    /** Local-time delivery: the scheduler's clock, which copies' due times are compared with. */
    now?: () => Date;
  }): Promise<EditionSendReport>;
  /** Local-time delivery: the distinct stored timezones of the newsletter's readers (null among them). */
  readerZones?(newsletterId: string): Promise<(string | null)[]>;
  /** Local-time delivery: the edition's copies by wave. */
  waves?(newsletterId: string, date: string, at?: Date): Promise<Wave[]>;
  /** Local-time delivery: the edition the day's first wave went out with, if it has gone. */
  pinned?(newsletterId: string, date: string): Promise<Edition | null>;
  /** Expire the edition's deferred copies (the next edition has begun). */
  expireDeferred?(newsletterId: string, date: string): number | Promise<number>;
  /** The edition's counts as its send ledger has them, or null when it has no rows yet. */
  ledgerCounts?(newsletterId: string, date: string, at?: Date): Promise<SendLedgerCounts | null>;
  /** When the earliest deferred copy of the edition may be tried again. */
  nextDeferredAttempt?(newsletterId: string, date: string): Promise<Date | null>;
  /**
   * The pre-send gate, run before a scheduled edition's first send: a failing edition is held (run state
   * `held`, its failures as the reason) instead of sent; a person overrides with `daybreak send --force`.
   */
  check?(args: { newsletterId: string; date: string; edition: Edition }): Promise<{ ok: boolean; failures: string[] }>;
}

export interface SendLedgerCounts extends RunCounts {
  /** Copies not yet attempted or in flight: more than zero after a send returns means it was cut short. */
  pending: number;
  /** Copies that expired unsent when the next edition began (counted in `skipped` too). */
  expired: number;
  /** Local-time delivery: copies queued for a later wave (not in `pending`). */
  waiting?: number;
}

export interface SchedulerOptions {
  /** The run ledger (src/storage's implementation, on whichever engine). */
  runs: RunLedger;
  config: Config;
  /** Reads the articles afresh at each firing, so today's files are in today's edition. */
  loadContent: () => Content | Promise<Content>;
  sender: EditionSender;
  clock?: Clock;
  log?: (line: string) => void;
  /** Identifies this scheduler in the run ledger; default host:pid:random. */
  holder?: string;
  /** A `running` row whose heartbeat is older than this belongs to a dead process. Default 60 s. */
  leaseMs?: number;
  /** Bounds on the wait between deferred retries (the delivery backoff, spread out between runs). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Timers are re-armed at least this often, so a suspended laptop or a changed clock is noticed. */
  maxSleepMs?: number;
  /** Only these newsletters (default: every newsletter in the config). */
  newsletters?: string[];
  /**
   * `scheduler` (default) fires editions and joins the ones others fire; `worker` only joins: the sending
   * part of `daybreak worker`, with no firing of its own.
   */
  role?: 'scheduler' | 'worker';
  /** How often to look for editions other instances are sending, to join them (default: never). */
  joinPollMs?: number;
  /**
   * Firings before this instant are not recorded as missed (main.ts passes the database's creation time:
   * an edition due before Daybreak was installed was not missed, it never existed).
   */
  ledgerSince?: Date;
}

export interface NewsletterStatus {
  id: string;
  name: string;
  timezone: string;
  cron: string;
  nextSendAt: string | null;
  nextSendLocal: string | null;
  nextSendUtc: string | null;
  lastRun: Pick<Run, 'date' | 'state' | 'total' | 'sent' | 'failed' | 'deferred' | 'skipped' | 'startedAt' | 'finishedAt' | 'reason'> | null;
  /** Local-time delivery: `schedule.localTime`, and the last run's waves (sent and waiting). */
  localTime?: string;
  waves?: WaveStatus[];
}

/** One wave of a local-time edition, as /healthz and `daybreak runs` show it. */
export interface WaveStatus {
  dueAt: string | null;
  /** "2026-03-08 06:00 UTC" */
  dueUtc: string | null;
  total: number;
  sent: number;
  waiting: number;
  failed: number;
  deferred: number;
  skipped: number;
}

export interface Scheduler {
  /** Catches up (missed firings, crashed runs, deferred copies) and arms the timers. */
  start(): Promise<void>;
  /**
   * Stops taking new work, asks sends in flight to finish their current SMTP transactions, and waits for
   * them up to `timeoutMs` (real time). Unsent copies stay queued in the ledger for the next start.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ finished: boolean }>;
  /** Resolves when no send started by this scheduler is in flight. */
  idle(): Promise<void>;
  /** Evaluates every newsletter now (what the timers call). */
  tick(): Promise<void>;
  status(): Promise<NewsletterStatus[]>;
  readonly holder: string;
  readonly ledger: RunLedger;
}

const MINUTE = 60_000;

/** A ledger wave as status shows it. */
export function waveStatus(w: Wave): WaveStatus {
  return {
    dueAt: w.dueAt,
    dueUtc: w.dueAt ? formatUtc(new Date(w.dueAt)) : null,
    total: w.total,
    sent: w.sent,
    waiting: w.waiting,
    failed: w.failed,
    deferred: w.deferred,
    skipped: w.skipped,
  };
}

/** The first firing of the newsletter's next edition after `date` (its next local date with a firing). */
export function nextEditionAt(newsletter: Newsletter, date: string): Date | null {
  const tz = newsletter.schedule.timezone;
  return nextFiring(newsletter, new Date(startOfLocalDate(addDays(date, 1), tz).getTime() - 1));
}

/**
 * The scheduler. Firing times come from croner (via src/content/schedule-times.ts) evaluated in
 * each newsletter's timezone; the timers are the injected clock's, so tests drive it with a ManualClock.
 *
 * Each firing belongs to an edition: the newsletter on the local date of the firing, sent at that date's
 * first firing. The run ledger row for (newsletter, date) is claimed with one INSERT in an IMMEDIATE
 * transaction, so across restarts and across processes on one database an edition starts once.
 *
 * DST (croner's behaviour, which we keep): a local time that does not exist on the spring-forward day
 * (02:30 in America/New_York on 2026-03-08) fires once, at 03:00 local (07:00 UTC); a local time that
 * happens twice on the fall-back day (01:30 on 2026-11-01) fires once, at its first occurrence (EDT).
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { config, sender } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const retryMinMs = options.retryMinMs ?? MINUTE;
  const retryMaxMs = options.retryMaxMs ?? 60 * MINUTE;
  const maxSleepMs = options.maxSleepMs ?? 60 * MINUTE;
  const ledger = options.runs;
  const newsletters = config.newsletters.filter((n) => !options.newsletters || options.newsletters.includes(n.id));

  const abort = new AbortController();
  let joinTimer: NodeJS.Timeout | null = null;
  let stopping = false;
  let started = false;
  const inflight = new Set<Promise<void>>();
  const active = new Set<string>(); // `${newsletter}/${date}` being sent by us right now
  const joined = new Set<string>(); // editions another scheduler runs that we help send
  const firingTimers = new Map<string, TimerHandle>();
  const retryTimers = new Map<string, { handle: TimerHandle; at: number; attempt: number }>();
  const retryAttempts = new Map<string, number>();

  const key = (newsletter: string, date: string) => `${newsletter}/${date}`;

  function track(work: Promise<void>): Promise<void> {
    const p = work.catch((error: unknown) => log(`scheduler: ${error instanceof Error ? error.message : String(error)}`));
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  }

  // Another scheduler's run is alive while its heartbeat is fresh; each instance's clock is assumed to be
  // within a fraction of the lease of the others (NTP), as every heartbeat is written by its own.
  function isStale(run: Run, now: Date): boolean {
    if (run.holder === null) return true;
    if (run.holder === holder) return !active.has(key(run.newsletter, run.date));
    return !run.heartbeatAt || now.getTime() - Date.parse(run.heartbeatAt) > leaseMs;
  }

  async function countsAfter(newsletter: string, date: string, report: EditionSendReport | null): Promise<RunCounts & { pending: number }> {
    const fromLedger = (await sender.ledgerCounts?.(newsletter, date, clock.now())) ?? null;
    if (fromLedger) return fromLedger;
    const r = report ?? { total: 0, sent: 0, failed: 0, deferred: 0, skipped: 0 };
    const done = r.sent + r.failed + r.deferred + r.skipped + (r.alreadySent ?? 0);
    return { total: r.total, sent: r.sent + (r.alreadySent ?? 0), failed: r.failed, deferred: r.deferred, skipped: r.skipped,
      pending: r.interrupted ? Math.max(1, r.total - done) : 0 };
  }

  async function assemble(newsletter: Newsletter, date: string) {
    if (isLocalTime(newsletter)) {
      // Every wave sends the edition the first one pinned; the first closes its window as it goes.
      const pinned = (await sender.pinned?.(newsletter.id, date)) ?? null;
      if (pinned) return pinned;
      const [first] = waveTimes(newsletter, date, await zonesOf(newsletter));
      const content = await options.loadContent();
      return assembleEdition({ config, content, newsletterId: newsletter.id, date, ...(first ? { closesAt: first } : {}) });
    }
    const content = await options.loadContent();
    return assembleEdition({ config, content, newsletterId: newsletter.id, date });
  }

  /** The zones of a local-time newsletter's readers, valid ones only (an invalid one means the newsletter's). */
  async function zonesOf(newsletter: Newsletter): Promise<string[]> {
    const stored = (await sender.readerZones?.(newsletter.id)) ?? [];
    return [...new Set(stored.map((z) => readerZone(z, newsletter.schedule.timezone)))];
  }

  /** Copies of a local-time edition due before this are missed: past the grace window. */
  function missedBefore(newsletter: Newsletter): Date | undefined {
    return isLocalTime(newsletter) ? new Date(clock.now().getTime() - newsletter.schedule.graceMinutes * MINUTE) : undefined;
  }

  /** The run's reason after a send: deferred copies, and readers whose local time is still to come. */
  function reasonAfter(newsletter: Newsletter, counts: SendLedgerCounts | (RunCounts & { pending: number })): string | null {
    const parts: string[] = [];
    if (counts.deferred > 0) parts.push(`${counts.deferred} copies deferred; retried until the next edition`);
    const waiting = 'waiting' in counts ? (counts.waiting ?? 0) : 0;
    if (waiting > 0) parts.push(`${waiting} readers waiting for their local ${newsletter.schedule.localTime}`);
    // Said outright for local-time runs, as it replaces the "waiting" of the waves before.
    if (parts.length === 0 && isLocalTime(newsletter)) parts.push('every wave sent');
    return parts.length > 0 ? parts.join('; ') : null;
  }

  /** Runs (or resumes) a claimed edition to the end: skipped, done, failed, or released on shutdown. */
  async function execute(newsletter: Newsletter, date: string, how: 'on time' | 'catch-up' | 'resume'): Promise<void> {
    const k = key(newsletter.id, date);
    active.add(k);
    let beat: TimerHandle | null = null;
    const heartbeat = () => {
      beat = clock.setTimer(() => {
        if (!active.has(k)) return;
        void ledger.heartbeat(newsletter.id, date, holder, clock.now()).catch(() => {});
        heartbeat();
      }, Math.max(1000, Math.floor(leaseMs / 4)));
    };
    heartbeat();
    try {
      const edition = await assemble(newsletter, date);
      if (isSkipped(edition)) {
        const reason = `no articles published between ${edition.window.from.toISOString()} and ${edition.window.to.toISOString()}`;
        await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'skipped', now: clock.now(), reason });
        log(`${newsletter.id} ${date}: skipped, ${reason}`);
        return;
      }
      if (how !== 'resume' && sender.check) {
        const gate = await sender.check({ newsletterId: newsletter.id, date, edition });
        if (!gate.ok) {
          const reason = `held by the pre-send checks: ${gate.failures.join(' | ')} (see \`daybreak check --newsletter ${newsletter.id} --date ${date}\`; fix and send with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`, or override with --force)`;
          await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'held', now: clock.now(), reason });
          log(`${newsletter.id} ${date}: ${reason}`);
          return;
        }
      }
      log(`${newsletter.id} ${date}: sending (${how}) "${edition.subject}"`);
      let report: EditionSendReport | null = null;
      let error: unknown = null;
      try {
        const missed = missedBefore(newsletter);
        report = await sender.send({ newsletterId: newsletter.id, date, edition, signal: abort.signal, retry: false, now: () => clock.now(), ...(missed ? { missedBefore: missed } : {}) });
      } catch (e) {
        error = e;
      }
      const counts = await countsAfter(newsletter.id, date, report);
      if (abort.signal.aborted && (counts.pending > 0 || report?.interrupted || error)) {
        const reason = `stopped by shutdown with ${counts.pending} copies still queued; resumes at the next start`;
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
      const reason = reasonAfter(newsletter, counts);
      await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'done', now: clock.now(), counts, reason });
      log(`${newsletter.id} ${date}: done, ${counts.sent} sent, ${counts.failed} failed, ${counts.deferred} deferred, ${counts.skipped} skipped of ${counts.total}${'waiting' in counts && counts.waiting ? `, ${counts.waiting} waiting for a later wave` : ''}`);
      if (counts.deferred > 0) await armRetry(newsletter, date, clock.now());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await ledger.finish({ newsletter: newsletter.id, date, holder, state: 'failed', now: clock.now(), reason: message,
        counts: await countsAfter(newsletter.id, date, null) });
      log(`${newsletter.id} ${date}: failed: ${message} (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`);
    } finally {
      active.delete(k);
      if (beat) clock.clearTimer(beat);
    }
  }

  /** Arms (or keeps) the retry timer for an edition's deferred copies. */
  async function armRetry(newsletter: Newsletter, date: string, now: Date): Promise<void> {
    if (stopping) return;
    const k = key(newsletter.id, date);
    const attempt = retryAttempts.get(k) ?? 0;
    const backoff = Math.min(retryMaxMs, retryMinMs * 2 ** attempt);
    const recorded = (await sender.nextDeferredAttempt?.(newsletter.id, date)) ?? null;
    const at = Math.max(now.getTime() + backoff, recorded?.getTime() ?? 0);
    const existing = retryTimers.get(k);
    if (existing) {
      if (existing.at <= at) return;
      clock.clearTimer(existing.handle);
    }
    // Never wait past the next edition: at that moment the copies expire instead.
    const expiry = nextEditionAt(newsletter, date);
    const due = expiry ? Math.min(at, expiry.getTime()) : at;
    const handle = clock.setTimer(() => {
      retryTimers.delete(k);
      return track(retryDeferred(newsletter, date));
    }, Math.min(due - now.getTime(), maxSleepMs));
    retryTimers.set(k, { handle, at: due, attempt });
  }

  async function retryDeferred(newsletter: Newsletter, date: string): Promise<void> {
    if (stopping) return;
    const k = key(newsletter.id, date);
    const run = await ledger.get(newsletter.id, date);
    if (!run || run.state !== 'done' || run.deferred === 0 || active.has(k)) return;
    const now = clock.now();
    const expiry = nextEditionAt(newsletter, date);
    if (expiry && now.getTime() >= expiry.getTime()) {
      const n = sender.expireDeferred ? await sender.expireDeferred(newsletter.id, date) : 0;
      const fromLedger = (await sender.ledgerCounts?.(newsletter.id, date)) ?? null;
      // The next edition's send may have expired them first (sendEdition does so as it starts): count
      // from the ledger, not from this call.
      const expired = fromLedger ? fromLedger.expired : n;
      const counts = fromLedger ?? { ...run, skipped: run.skipped + run.deferred, deferred: 0 };
      await ledger.updateCounts(newsletter.id, date, counts, `${expired} deferred copies expired when the next edition began`);
      log(`${newsletter.id} ${date}: ${expired} deferred copies expired (the next edition has begun)`);
      retryAttempts.delete(k);
      return;
    }
    const recorded = (await sender.nextDeferredAttempt?.(newsletter.id, date)) ?? null;
    if (recorded && recorded.getTime() > now.getTime()) {
      await armRetry(newsletter, date, now);
      return;
    }
    active.add(k);
    try {
      retryAttempts.set(k, (retryAttempts.get(k) ?? 0) + 1);
      const edition = await assemble(newsletter, date);
      if (isSkipped(edition)) return;
      log(`${newsletter.id} ${date}: retrying ${run.deferred} deferred copies`);
      const report = await sender.send({ newsletterId: newsletter.id, date, edition, signal: abort.signal, retry: true });
      const counts = await countsAfter(newsletter.id, date, report);
      // A retry's report covers only the retried copies; without a send ledger, add them to the run's.
      const merged = (await sender.ledgerCounts?.(newsletter.id, date))
        ? counts
        : { total: run.total, sent: run.sent + report.sent, failed: run.failed + report.failed, deferred: report.deferred, skipped: run.skipped + report.skipped };
      await ledger.updateCounts(newsletter.id, date, merged, merged.deferred > 0 ? `${merged.deferred} copies deferred; retried until the next edition` : 'deferred copies delivered on retry');
      log(`${newsletter.id} ${date}: retry: ${merged.sent} sent, ${merged.deferred} still deferred`);
      if (merged.deferred > 0) await armRetry(newsletter, date, clock.now());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${newsletter.id} ${date}: retry failed: ${message}`);
      await armRetry(newsletter, date, clock.now());
    } finally {
      active.delete(k);
    }
  }

  /**
   * Helps send an edition another instance runs: claims copies like any sender (the ledger's leases keep
   * every reader to one copy); the run row stays theirs, and they finish it.
   */
  async function join(newsletter: Newsletter, date: string): Promise<void> {
    const k = key(newsletter.id, date);
    if (joined.has(k) || active.has(k) || stopping) return;
    joined.add(k);
    try {
      const edition = await assemble(newsletter, date);
      if (isSkipped(edition)) return;
      log(`${newsletter.id} ${date}: joining the send another instance is running`);
      const missed = missedBefore(newsletter);
      const report = await sender.send({ newsletterId: newsletter.id, date, edition, signal: abort.signal, retry: false, now: () => clock.now(), ...(missed ? { missedBefore: missed } : {}) });
      log(`${newsletter.id} ${date}: joined: this instance sent ${report.sent}, failed ${report.failed}, skipped ${report.skipped}`);
    } catch (error) {
      log(`${newsletter.id} ${date}: joining failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      joined.delete(k);
    }
  }

  /** Joins every current edition another instance is sending now (what `daybreak worker` does, on a timer). */
  async function joinRunning(newsletter: Newsletter): Promise<Promise<void>[]> {
    if (stopping) return [];
    const now = clock.now();
    const work: Promise<void>[] = [];
    for (const run of await ledger.running(newsletter.id)) {
      const k = key(run.newsletter, run.date);
      if (run.holder === holder || active.has(k) || joined.has(k) || isStale(run, now)) continue;
      const expiry = nextEditionAt(newsletter, run.date);
      if (expiry && now.getTime() >= expiry.getTime()) continue;
      work.push(track(join(newsletter, run.date)));
    }
    return work;
  }

  /**
   * Looks at one newsletter now: resumes a crashed run, starts (or records as missed) the current edition,
   * joins an edition another instance is sending, keeps deferred retries armed, and arms the timer for the
   * next firing. Returns the work it started.
   */
  async function evaluate(newsletter: Newsletter): Promise<Promise<void>[]> {
    if (stopping) return [];
    if (isLocalTime(newsletter)) return evaluateLocal(newsletter);
    const now = clock.now();
    const work: Promise<void>[] = [];
    const tz = newsletter.schedule.timezone;

    // 1. Runs left `running` by a process that died (or shut down mid-send).
    work.push(...(await resumeStale(newsletter)));

    // 2. The current edition: the newsletter on the local date of its latest firing. Of several instances
    //    on one database, the one whose INSERT creates the run row sends it; the others join.
    const last = previousFiring(newsletter, new Date(now.getTime() + 1));
    if (last) {
      const date = localDate(last, tz);
      const time = sendTimeOn(newsletter, date);
      const sendAt = time.sendAt ?? last;
      await recordGap(newsletter, date, now);
      if (!(await ledger.get(newsletter.id, date))) {
        const lateMs = now.getTime() - sendAt.getTime();
        const graceMs = newsletter.schedule.graceMinutes * MINUTE;
        if (lateMs > graceMs) {
          // A firing due before the ledger existed was not missed: Daybreak was not installed yet.
          const beforeInstall = options.ledgerSince !== undefined && sendAt.getTime() < options.ledgerSince.getTime();
          const reason = `not running at ${formatLocal(sendAt, tz)} (${formatUtc(sendAt)}); back ${Math.round(lateMs / MINUTE)} minutes later, past the ${newsletter.schedule.graceMinutes}-minute grace window, so it was not sent (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`;
          if (!beforeInstall && (await ledger.recordMissed({ newsletter: newsletter.id, date, scheduledAt: sendAt, now, reason }))) {
            log(`${newsletter.id} ${date}: missed: ${reason}`);
          }
        } else if (await ledger.claim({ newsletter: newsletter.id, date, scheduledAt: sendAt, holder, now })) {
          work.push(track(execute(newsletter, date, lateMs > 1000 ? 'catch-up' : 'on time')));
        }
      }
    }
    work.push(...(await joinRunning(newsletter)));

    // 3. Deferred copies of finished runs: retry on a timer until the next edition, then expire.
    for (const run of await ledger.withDeferred(newsletter.id)) {
      const expiry = nextEditionAt(newsletter, run.date);
      if (expiry && now.getTime() >= expiry.getTime()) work.push(track(retryDeferred(newsletter, run.date)));
      else await armRetry(newsletter, run.date, now);
    }

    armFiring(newsletter, now);
    return work;
  }

  /**
   * A local-time newsletter now. Each edition date D has waves: `schedule.localTime` on D in each zone its
   * readers live in (zones sharing D's UTC offset share one). The first wave due claims the run row
   * (one instance per database), assembles and pins the edition, queues every reader with their due time
   * and sends the due ones; each later wave sends the copies whose time has come. A wave found more than
   * graceMinutes late is missed (its copies expire with the reason), as a late firing is for cron.
   */
  async function evaluateLocal(newsletter: Newsletter): Promise<Promise<void>[]> {
    const now = clock.now();
    const work: Promise<void>[] = [];
    const graceMs = newsletter.schedule.graceMinutes * MINUTE;
    work.push(...(await resumeStale(newsletter)));
    const zones = await zonesOf(newsletter);
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
          const first = waves[0]!;
          const beforeInstall = options.ledgerSince !== undefined && first.getTime() < options.ledgerSince.getTime();
          const last = due[due.length - 1]!;
          const reason = `not running at any of its ${waves.length} local ${newsletter.schedule.localTime} waves (the last at ${formatUtc(last)}); back past the ${newsletter.schedule.graceMinutes}-minute grace window, so it was not sent (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`;
          if (!beforeInstall && (await ledger.recordMissed({ newsletter: newsletter.id, date, scheduledAt: first, now, reason }))) {
            log(`${newsletter.id} ${date}: missed: ${reason}`);
          }
          continue;
        }
        // Days before the ones whose waves may still come: the dates in between are handled here.
        await recordGap(newsletter, dates[0]!, now);
        const at = fresh[0]!;
        if (await ledger.claim({ newsletter: newsletter.id, date, scheduledAt: at, holder, now })) {
          work.push(track(execute(newsletter, date, now.getTime() - at.getTime() > 1000 ? 'catch-up' : 'on time')));
        }
        continue;
      }
      if (run.state !== 'done') continue; // running (here or elsewhere: joined below), missed, skipped, failed
      const stored = (await sender.waves?.(newsletter.id, date, now)) ?? [];
      const dueNow = stored.some((w) => w.due > 0);
      // A zone whose time has come with no copy timed for it: readers moved there since the first wave
      // (their copies are re-timed when the wave is sent).
      const timed = new Set(stored.map((w) => w.dueAt));
      const localTime = newsletter.schedule.localTime!;
      const movedIn = stored.some((w) => w.waiting > 0) && zones.some((z) => {
        const at = localTimeOn(date, localTime, z);
        return at.getTime() <= now.getTime() && now.getTime() - at.getTime() <= graceMs && !timed.has(at.toISOString());
      });
      if (dueNow || movedIn) work.push(track(sendWave(newsletter, date)));
    }
    work.push(...(await joinRunning(newsletter)));
    for (const run of await ledger.withDeferred(newsletter.id)) {
      const expiry = nextEditionAt(newsletter, run.date);
      if (expiry && now.getTime() >= expiry.getTime()) work.push(track(retryDeferred(newsletter, run.date)));
      else await armRetry(newsletter, run.date, now);
    }
    armWave(newsletter, now, zones);
    return work;
  }

  /** A later wave of a local-time edition whose run is done: sends the copies whose time has come. */
  async function sendWave(newsletter: Newsletter, date: string): Promise<void> {
    const k = key(newsletter.id, date);
    if (stopping || active.has(k)) return;
    active.add(k);
    try {
      const edition = await assemble(newsletter, date);
      if (isSkipped(edition)) return;
      const missed = missedBefore(newsletter);
      const report = await sender.send({ newsletterId: newsletter.id, date, edition, signal: abort.signal, retry: true, now: () => clock.now(), ...(missed ? { missedBefore: missed } : {}) });
      const counts = await countsAfter(newsletter.id, date, report);
      await ledger.updateCounts(newsletter.id, date, counts, reasonAfter(newsletter, counts));
      if (report.sent + report.failed + report.skipped > 0) log(`${newsletter.id} ${date}: wave sent: ${report.sent} sent, ${report.failed} failed${'waiting' in counts && counts.waiting ? `, ${counts.waiting} waiting for a later wave` : ', no reader waiting'}`);
      if (counts.deferred > 0) await armRetry(newsletter, date, clock.now());
    } catch (error) {
      log(`${newsletter.id} ${date}: wave failed: ${error instanceof Error ? error.message : String(error)} (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`)`);
    } finally {
      active.delete(k);
    }
  }

  /** Arms the timer for a local-time newsletter's next wave (of whichever date). */
  function armWave(newsletter: Newsletter, now: Date, zones: string[]): void {
    const existing = firingTimers.get(newsletter.id);
    if (existing) clock.clearTimer(existing);
    let next: number | null = null;
    for (const date of [...datesAround(now), addDays(datesAround(now).at(-1)!, 1)]) {
      if (!goesOutOn(newsletter, date)) continue;
      for (const w of waveTimes(newsletter, date, zones)) {
        if (w.getTime() > now.getTime() && (next === null || w.getTime() < next)) next = w.getTime();
      }
    }
    const delay = Math.min(next === null ? maxSleepMs : next - now.getTime(), maxSleepMs);
    firingTimers.set(
      newsletter.id,
      clock.setTimer(() => {
        firingTimers.delete(newsletter.id);
        return evaluate(newsletter).then((work) => Promise.all(work)).then(() => {}, (error: unknown) => {
          log(`scheduler: ${error instanceof Error ? error.message : String(error)}`);
        });
      }, delay),
    );
  }

  /**
   * Takes over runs whose holder stopped renewing its heartbeat (it died, or shut down mid-send): resumes
   * them through the send ledger while the edition is still current, and closes an edition whose
   * successor has begun instead. Returns the work it started.
   */
  async function resumeStale(newsletter: Newsletter): Promise<Promise<void>[]> {
    if (stopping) return [];
    const now = clock.now();
    const work: Promise<void>[] = [];
    for (const run of await ledger.running(newsletter.id)) {
      // While we help send it, the join finishes the copies; the run is taken over after, if still stale.
      if (active.has(key(run.newsletter, run.date)) || joined.has(key(run.newsletter, run.date)) || !isStale(run, now)) continue;
      if (!(await ledger.takeOver(run, holder, now))) continue;
      const expiry = nextEditionAt(newsletter, run.date);
      if (expiry && now.getTime() >= expiry.getTime()) {
        const counts = (await sender.ledgerCounts?.(newsletter.id, run.date)) ?? run;
        await ledger.finish({ newsletter: newsletter.id, date: run.date, holder, state: 'failed', now, counts,
          reason: `interrupted mid-send and not resumed: the next edition had begun when the scheduler came back (send by hand with \`daybreak send --newsletter ${newsletter.id} --date ${run.date}\`)` });
        log(`${newsletter.id} ${run.date}: interrupted run closed as failed (its next edition has begun)`);
        continue;
      }
      log(`${newsletter.id} ${run.date}: resuming a run interrupted mid-send (the send ledger skips copies already sent)`);
      work.push(track(execute(newsletter, run.date, 'resume')));
    }
    return work;
  }

  /**
   * Editions between the newsletter's last run and `date` (the current one) that nobody ran: the process
   * was down for more than a day. Each is recorded `missed`, so the ledger has no silent holes; only the
   * current edition may still be sent. With no run at all yet there is no gap to fill (a fresh ledger).
   */
  async function recordGap(newsletter: Newsletter, date: string, now: Date): Promise<void> {
    const previous = await ledger.last(newsletter.id);
    if (!previous || previous.date >= date) return;
    const tz = newsletter.schedule.timezone;
    let at = nextEditionAt(newsletter, previous.date);
    for (let n = 0; at && n < 366; n++) {
      const d = localDate(at, tz);
      if (d >= date) break;
      const reason = `not running at ${formatLocal(at, tz)} (${formatUtc(at)}); by the time it came back the edition of ${date} was due, so this one was not sent (send it by hand with \`daybreak send --newsletter ${newsletter.id} --date ${d}\`)`;
      if (await ledger.recordMissed({ newsletter: newsletter.id, date: d, scheduledAt: at, now, reason })) log(`${newsletter.id} ${d}: missed: ${reason}`);
      at = nextEditionAt(newsletter, d);
    }
  }

  function armFiring(newsletter: Newsletter, now: Date): void {
    const existing = firingTimers.get(newsletter.id);
    if (existing) clock.clearTimer(existing);
    const next = nextFiring(newsletter, now);
    if (!next) return;
    const delay = Math.min(next.getTime() - now.getTime(), maxSleepMs);
    firingTimers.set(
      newsletter.id,
      clock.setTimer(() => {
        firingTimers.delete(newsletter.id);
        return evaluate(newsletter).then((work) => Promise.all(work)).then(() => {}, (error: unknown) => {
          log(`scheduler: ${error instanceof Error ? error.message : String(error)}`);
        });
      }, delay),
    );
  }

  async function idle(): Promise<void> {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  }

  return {
    holder,
    ledger,
    async start() {
      if (started) return;
      started = true;
      if (options.joinPollMs) {
        // Real time: this notices sends other instances started, whatever the injected clock says.
        joinTimer = setInterval(() => {
          const watch = async (n: Newsletter) => {
            if (options.role !== 'worker') await resumeStale(n);
            await joinRunning(n);
          };
          for (const n of newsletters) void watch(n).catch((error: unknown) => log(`scheduler: ${error instanceof Error ? error.message : String(error)}`));
        }, options.joinPollMs);
        joinTimer.unref();
      }
      if (options.role === 'worker') {
        for (const n of newsletters) await joinRunning(n);
        return;
      }
      for (const n of newsletters) await evaluate(n);
    },
    async tick() {
      if (options.role === 'worker') {
        await Promise.all((await Promise.all(newsletters.map((n) => joinRunning(n)))).flat());
        return;
      }
      const work = await Promise.all(newsletters.map((n) => evaluate(n)));
      await Promise.all(work.flat());
    },
    idle,
    async stop({ timeoutMs = 30_000 } = {}) {
      stopping = true;
      if (joinTimer) clearInterval(joinTimer);
      for (const t of firingTimers.values()) clock.clearTimer(t);
      for (const t of retryTimers.values()) clock.clearTimer(t.handle);
      firingTimers.clear();
      retryTimers.clear();
      abort.abort();
      // Real time, not the injected clock: this bounds how long we wait on network I/O.
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        idle().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return { finished };
    },
    async status() {
      const now = clock.now();
      const lastRuns = await Promise.all(config.newsletters.map((n) => ledger.last(n.id)));
      return Promise.all(config.newsletters.map(async (n, i) => {
        const local = isLocalTime(n);
        let next = nextFiring(n, now);
        let waves: WaveStatus[] | undefined;
        const last = lastRuns[i];
        if (local) {
          const zones = await zonesOf(n);
          next = null;
          for (const date of [...datesAround(now), addDays(datesAround(now).at(-1)!, 1)]) {
            if (!goesOutOn(n, date)) continue;
            for (const w of waveTimes(n, date, zones)) if (w.getTime() > now.getTime() && (!next || w < next)) next = w;
          }
          waves = last && sender.waves ? (await sender.waves(n.id, last.date, now)).map(waveStatus) : [];
        }
        return {
          id: n.id,
          name: n.name,
          timezone: n.schedule.timezone,
          cron: n.schedule.cron,
          nextSendAt: next ? next.toISOString() : null,
          nextSendLocal: next ? formatLocal(next, n.schedule.timezone) : null,
          nextSendUtc: next ? formatUtc(next) : null,
          lastRun: last
            ? { date: last.date, state: last.state, total: last.total, sent: last.sent, failed: last.failed,
                deferred: last.deferred, skipped: last.skipped, startedAt: last.startedAt, finishedAt: last.finishedAt,
                reason: last.reason }
            : null,
          ...(local ? { localTime: n.schedule.localTime!, waves: waves ?? [] } : {}),
        };
      }));
    },
  };
}
