import type { Config, Content, Edition } from '../content/index.ts';
import type { Wave } from '../delivery/index.ts';
import type { Clock } from './clock.ts';
import type { Run, RunCounts, RunLedger } from './run-ledger.ts';

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
  /**
   * Bounds on the wait between retries of an edition's deferred copies (delivery's deferredRetry policy,
   * which doubles the wait from the first to the second; default 1 minute and 1 hour).
   */
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
  /** A cron newsletter's `schedule.cron`; absent for a local-time one, which has `localTime` instead. */
  cron?: string;
  nextSendAt: string | null;
  nextSendLocal: string | null;
  nextSendUtc: string | null;
  /**
   * The newest run; `skipped` counts every copy not sent on purpose, expired ones included, and
   * `expired` how many of those expired unsent (a wave's time passed, or the next edition began).
   */
  lastRun: (Pick<Run, 'date' | 'state' | 'total' | 'sent' | 'failed' | 'deferred' | 'skipped' | 'startedAt' | 'finishedAt' | 'reason'> & { expired: number }) | null;
  /** Local-time delivery: `schedule.localTime`, and the last run's waves (sent and waiting). */
  localTime?: string;
  /** Local-time delivery: `schedule.days`, when the config names them. */
  days?: string[];
  /** Local-time delivery: the schedule in words, "06:30 in each reader's time zone (readers without one: America/New_York)". */
  schedule?: string;
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
