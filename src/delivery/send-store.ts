/**
 * The storage the sender needs, declared by the sender; src/storage implements it on SQLite and
 * PostgreSQL. The ledger row is the job: each copy is claimed with a lease on the database's own clock,
 * so any number of processes on any number of machines share one edition, and the copies of a process
 * that died come back to the others when its leases run out.
 *
 * Every method is one short transaction (or a read); none is ever held across network I/O.
 */
export type SendState = 'queued' | 'sending' | 'sent' | 'deferred' | 'failed' | 'skipped' | 'expired';

export interface EditionKey {
  newsletter: string;
  /** The edition's local date, YYYY-MM-DD. */
  date: string;
}

export interface ClaimedCopy {
  status: 'claimed';
  subscriberId: number;
  email: string;
  name: string | null;
  /** Attempts including this one, over the copy's life. */
  attempts: number;
  /** Attempts including this one since the copy was last opened for a run (the in-run retry budget). */
  tries: number;
  /** The sections the reader chose for this newsletter (read at claim time), or null for every section. */
  sections: string[] | null;
}

/**
 * When each reader's copy is due, by the reader's stored timezone (null: none stored). Local-time
 * delivery passes one; without it every copy is due at once.
 */
export type DueAt = (timezone: string | null) => Date;

/** The copies of an edition due at one instant (a local-time wave). */
export interface Wave {
  /** ISO 8601 UTC; null for copies due at once. */
  dueAt: string | null;
  total: number;
  sent: number;
  /** Queued and not yet due. */
  waiting: number;
  /** Queued or in flight and due (being sent, or left by a run cut short). */
  due: number;
  failed: number;
  deferred: number;
  /** Skipped or expired (missed waves among them). */
  skipped: number;
}

export type ClaimResult =
  | ClaimedCopy
  /** The reader unsubscribed, bounced or was deleted since the copy was queued: the row is now `skipped`. */
  | { status: 'skipped'; subscriberId: number; reason: string };

export interface ClaimBatch {
  copies: ClaimResult[];
  /**
   * Rows of the edition that are not finished and that this claim did not return: queued rows another
   * process holds, copies leased by others, deferred copies waiting for their time.
   */
  waiting: number;
  /**
   * Milliseconds until one of the waiting rows may become claimable (a deferred copy's time, a lease
   * running out, the fleet's rate allowing more), or null when none will.
   */
  retryInMs: number | null;
}

export interface CopyOutcome {
  subscriberId: number;
  state: 'sent' | 'deferred' | 'failed';
  /** The SMTP reply (or the error) for last_reply. */
  reply: string;
  /** The Message-ID the copy was sent with, without angle brackets. */
  messageId: string;
  /** For `deferred`: seconds until it may be tried again in this run; null leaves it for the next run. */
  retryInSeconds?: number | null;
  /** A 5.1.x reply: mark the subscriber bounced so no later edition goes to them. */
  bounce?: boolean;
}

export interface ClaimOptions {
  /** Who claims: the lease holder's name (host:pid:random). */
  worker: string;
  limit: number;
  leaseSeconds: number;
  /** The whole fleet's sending rate (delivery.ratePerSecond): claims are metered on the database's clock. */
  ratePerSecond?: number;
  /**
   * Queued copies with a due time are taken when it is at or before this instant (the caller's clock: a
   * due time is the app's, a reader's local time). Default: the database's clock.
   */
  dueBy?: Date;
}

export interface SendStore {
  /**
   * Marks unfinished copies (queued, sending, deferred) of this newsletter's EARLIER editions `expired`,
   * except copies whose due time has not come by `at` (default now): a local-time wave of yesterday's
   * edition still ahead.
   */
  expireEarlierEditions(key: EditionKey, at?: Date): Promise<number>;
  /**
   * Inserts a `queued` row for every confirmed, non-bounced subscriber of the newsletter that has none yet,
   * in batches by id (never the whole list in memory). Returns the rows added.
   */
  queueConfirmed(key: EditionKey, batchSize: number, options?: { dueAt?: DueAt }): Promise<number>;
  /**
   * Local-time delivery: recomputes the due time of the edition's queued copies from each reader's
   * timezone as it is now (a reader who moved before their wave gets it at the new time). Returns the
   * copies whose time changed.
   */
  reschedule(key: EditionKey, dueAt: DueAt): Promise<number>;
  /** The distinct stored timezones (null among them) of the newsletter's confirmed, non-bounced readers. */
  readerZones(newsletter: string): Promise<(string | null)[]>;
  /** Queued copies whose time has not come, and the earliest of their times. */
  waiting(key: EditionKey, at?: Date): Promise<{ count: number; next: Date | null }>;
  /** The edition's copies grouped by due time, earliest first (waiting: due after `at`, default now). */
  waves(key: EditionKey, at?: Date): Promise<Wave[]>;
  /** Queued copies due before `before` (a wave missed past its grace window) become `expired` with `reason`. */
  expireMissed(key: EditionKey, before: Date, reason: string): Promise<number>;
  /**
   * Keeps the edition's first pinned form: stores `edition` (JSON) unless one is stored, and returns the
   * stored one, so every wave, worker and restart sends the same edition.
   */
  pinEdition(key: EditionKey, edition: string): Promise<string>;
  /** The pinned edition (JSON), or null when none was pinned. */
  pinned(key: EditionKey): Promise<string | null>;
  /** Confirmed, non-bounced subscribers of a newsletter (for --dry-run). */
  countConfirmed(newsletter: string): Promise<number>;
  /** Deferred copies that an earlier run gave up on become due again, with a fresh retry budget. */
  reopenDeferred(key: EditionKey): Promise<number>;
  /**
   * In one transaction: takes due rows (queued with no due time or one that has come; deferred whose
   * time has come; `sending` whose lease ran out), re-reads each reader's status (an unsubscribed, bounced or deleted reader's row becomes
   * `skipped`), and leases the rest to `worker` as `sending`. Committed before any SMTP transaction starts.
   */
  claim(key: EditionKey, options: ClaimOptions): Promise<ClaimBatch>;
  /** Extends the leases `worker` holds on the edition; returns how many rows it still holds. */
  renewLeases(key: EditionKey, worker: string, leaseSeconds: number): Promise<number>;
  /** Hands back copies claimed but never started (shutdown, pause): they become `queued` for anyone. */
  release(key: EditionKey, worker: string, subscriberIds: number[]): Promise<void>;
  /** Records the outcomes of rows `worker` holds, in one transaction; rows it no longer holds are left alone. */
  record(key: EditionKey, worker: string, outcomes: CopyOutcome[]): Promise<void>;
  /** Rows per state for the edition. */
  counts(key: EditionKey): Promise<Record<SendState, number>>;
  /** When the earliest deferred copy may be tried again, if one has a time. */
  nextDeferredAttempt(key: EditionKey): Promise<Date | null>;
  /** Expires the edition's deferred copies (the next edition has begun). */
  expireDeferred(key: EditionKey): Promise<number>;
  /** Lets the engine tidy its log as a long send goes (SQLite: a passive WAL checkpoint). */
  checkpoint?(): Promise<void>;
}
