/** `held`: the pre-send gate stopped the edition (its reasons in `reason`); `daybreak send --force` overrides. */
export type RunState = 'running' | 'done' | 'skipped' | 'missed' | 'failed' | 'held';

/** One row of the run ledger: one scheduled edition (newsletter, local date). */
export interface Run {
  newsletter: string;
  date: string;
  state: RunState;
  scheduledAt: string | null;
  startedAt: string;
  finishedAt: string | null;
  reason: string | null;
  total: number;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
  holder: string | null;
  heartbeatAt: string | null;
}

export interface RunCounts {
  total: number;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
}

/**
 * The run ledger's storage, declared by the scheduler; src/storage implements it on both engines. The
 * primary key (newsletter, edition_date) is what makes the scheduler idempotent: whoever inserts the row
 * owns the edition, across restarts, processes and machines. Every change is one short transaction.
 */
export interface RunLedger {
  get(newsletter: string, date: string): Promise<Run | null>;
  /**
   * Claims an edition: inserts a `running` row held by `holder`. True only for the one caller whose
   * INSERT created the row; everyone else (another scheduler, a restart) gets false.
   */
  claim(args: { newsletter: string; date: string; scheduledAt: Date; holder: string; now: Date }): Promise<boolean>;
  /** Records a firing nobody sent (the process was down past the grace window). Never overwrites a row. */
  recordMissed(args: { newsletter: string; date: string; scheduledAt: Date; now: Date; reason: string }): Promise<boolean>;
  /**
   * Takes over a `running` row whose holder is gone. The compare on the old holder and heartbeat makes it
   * atomic: of two schedulers that both saw it stale, one wins.
   */
  takeOver(run: Run, holder: string, now: Date): Promise<boolean>;
  heartbeat(newsletter: string, date: string, holder: string, now: Date): Promise<void>;
  /** Lets go of a run that is not finished (shutdown mid-send), so the next start resumes it at once. */
  release(newsletter: string, date: string, holder: string, reason: string, counts?: RunCounts): Promise<void>;
  /** Ends a run held by `holder`: done, skipped or failed, with counts and a reason. */
  finish(args: {
    newsletter: string;
    date: string;
    holder: string;
    state: Exclude<RunState, 'running' | 'missed'>;
    now: Date;
    reason?: string | null;
    counts?: RunCounts;
  }): Promise<void>;
  /** Updates the counts of a finished run after a retry of its deferred copies (or their expiry). */
  updateCounts(newsletter: string, date: string, counts: RunCounts, reason?: string | null): Promise<void>;
  /** Rows in `running` state for a newsletter (candidates to resume or to join). */
  running(newsletter: string): Promise<Run[]>;
  /** Finished runs that still have deferred copies, oldest first. */
  withDeferred(newsletter: string): Promise<Run[]>;
  /** The newest run of a newsletter, by edition date. */
  last(newsletter: string): Promise<Run | null>;
  /** Recent runs, newest edition first (for `daybreak runs`). */
  list(options?: { limit?: number; newsletter?: string; state?: RunState }): Promise<Run[]>;
  /** How many runs there are, of a newsletter and in a state when given (`daybreak runs` says so when a filter matches none). */
  count(options?: { newsletter?: string; state?: RunState }): Promise<number>;
  /** When the ledger began (the database's first migration): firings before it were not "missed". */
  since(): Promise<Date | undefined>;
}
