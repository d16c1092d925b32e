import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Newsletter } from '../content/index.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { RunLedger } from './run-ledger.ts';
import type { EditionSender, SchedulerOptions } from './scheduler-types.ts';

/**
 * What the scheduler's units share, in one object: the options with their defaults applied, the editions
 * in hand, the timers, and the stop signal. Each unit reads what it needs and changes only its own part
 * (the firing of a send `active`, joining `joined`, the retry timers `retryTimers` and `retryAttempts`).
 */
export interface SchedulerContext {
  readonly options: SchedulerOptions;
  readonly sender: EditionSender;
  readonly ledger: RunLedger;
  readonly clock: Clock;
  log(line: string): void;
  /** This scheduler's name in the run ledger (host:pid:random unless given). */
  readonly holder: string;
  /** A `running` row whose heartbeat is older than this belongs to a dead process. */
  readonly leaseMs: number;
  /** Timers are re-armed at least this often, so a suspended laptop or a changed clock is noticed. */
  readonly maxSleepMs: number;
  /** The newsletters this scheduler looks after. */
  readonly newsletters: Newsletter[];
  /** Aborted by stop(): sends in flight finish their current SMTP transactions and return. */
  readonly abort: AbortController;
  /** Set by stop(): no new work is taken. */
  stopping: boolean;
  /** Editions (`newsletter/date`) this scheduler is sending right now: fired, resumed, a wave or a retry. */
  readonly active: Set<string>;
  /** Editions another instance runs that this one is helping to send right now (a join in flight). */
  readonly joined: Set<string>;
  /**
   * Editions another instance runs that this one has joined, until their send is over: what this
   * instance has sent of each so far, over every poll, for the one summary line at the end.
   */
  readonly helping: Map<string, JoinTally>;
  /** Per newsletter: the timer of its next firing (or wave). */
  readonly firingTimers: Map<string, TimerHandle>;
  /** Per edition: the timer of its deferred copies' next retry, and when it fires. */
  readonly retryTimers: Map<string, { handle: TimerHandle; at: number; attempt: number }>;
  /** Per edition: retries of its deferred copies so far (the backoff's exponent). */
  readonly retryAttempts: Map<string, number>;
  /** Keeps track of background work (so stop() and idle() can wait for it) and logs its failure. */
  track(work: Promise<void>): Promise<void>;
  /** Resolves when no tracked work is in flight. */
  idle(): Promise<void>;
}

/** What an instance has sent of an edition another instance runs (join-send.ts). */
export interface JoinTally {
  newsletter: string;
  date: string;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
}

/** The key of an edition in the context's sets and maps. */
export function editionKey(newsletter: string, date: string): string {
  return `${newsletter}/${date}`;
}

/** The message of something thrown, for the log. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The shared state of a new scheduler, with the options' defaults.
 *
 * @example
 * const ctx = createSchedulerContext({ runs, config, loadContent, sender });
 * ctx.track(execute(ctx, newsletter, date, 'on time'));
 */
export function createSchedulerContext(options: SchedulerOptions): SchedulerContext {
  const log = options.log ?? (() => {});
  const inflight = new Set<Promise<void>>();
  return {
    options,
    sender: options.sender,
    ledger: options.runs,
    clock: options.clock ?? systemClock,
    log,
    holder: options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    leaseMs: options.leaseMs ?? 60_000,
    maxSleepMs: options.maxSleepMs ?? 3_600_000,
    newsletters: options.config.newsletters.filter((n) => !options.newsletters || options.newsletters.includes(n.id)),
    abort: new AbortController(),
    stopping: false,
    active: new Set(),
    joined: new Set(),
    helping: new Map(),
    firingTimers: new Map(),
    retryTimers: new Map(),
    retryAttempts: new Map(),
    track(work) {
      const p = work.catch((error: unknown) => log(`scheduler: ${messageOf(error)}`));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      return p;
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}
