/**
 * The storage the sender needs, declared by the sender (the project's rule: the code that needs an
 * interface declares it). src/delivery/sqlite-send-store.ts implements it over better-sqlite3; a
 * PostgreSQL store can implement the same methods without the sender changing.
 *
 * Every method is one short write transaction (or a read); none is ever held across network I/O.
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
  messageId: string;
  /** Attempts including this one. */
  attempts: number;
}

export type ClaimResult =
  | ClaimedCopy
  /** The reader unsubscribed, bounced or was deleted since the copy was queued: the row is now `skipped`. */
  | { status: 'skipped'; subscriberId: number; reason: string }
  /** The row is no longer pending (another holder finished it): nothing to do. */
  | { status: 'gone'; subscriberId: number };

export interface CopyOutcome {
  subscriberId: number;
  state: 'sent' | 'deferred' | 'failed';
  /** The SMTP reply (or the error) for last_reply. */
  reply: string;
  /** For `deferred`: when it may be tried again (ISO 8601), null when left for the next run. */
  nextAttemptAt?: string | null;
  /** A 5.1.x reply: mark the subscriber bounced so no later edition goes to them. */
  bounce?: boolean;
}

export type LockResult = { acquired: true } | { acquired: false; holder: string; expiresAt: string };

export interface SendStore {
  /** Takes the edition's lock when it is free, expired or already ours. */
  acquireLock(key: EditionKey, holder: string, ttlMs: number): Promise<LockResult>;
  /** Takes the lock from `fromHolder` (a holder known to be dead); false when someone else got it first. */
  stealLock(key: EditionKey, holder: string, fromHolder: string, ttlMs: number): Promise<boolean>;
  /** Extends our lock; false when we no longer hold it. */
  renewLock(key: EditionKey, holder: string, ttlMs: number): Promise<boolean>;
  releaseLock(key: EditionKey, holder: string): Promise<void>;
  /** Marks unfinished copies (queued, sending, deferred) of this newsletter's EARLIER editions `expired`. */
  expireEarlierEditions(key: EditionKey): Promise<number>;
  /**
   * Inserts a `queued` row for every confirmed, non-bounced subscriber of the newsletter that has none yet,
   * streaming subscribers by id in batches (never the whole list in memory). Returns the rows added.
   */
  queueConfirmed(key: EditionKey, messageIdFor: (subscriberId: number) => string, batchSize: number): Promise<number>;
  /** Confirmed, non-bounced subscribers of a newsletter (for --dry-run). */
  countConfirmed(newsletter: string): Promise<number>;
  /** Ids of pending rows (queued, sending, deferred) after `afterSubscriberId`, ascending (keyset paging). */
  pendingAfter(key: EditionKey, afterSubscriberId: number, limit: number): Promise<number[]>;
  /**
   * In one transaction, for each id: re-reads the reader's status; an unsubscribed, bounced or deleted
   * reader's row becomes `skipped`; otherwise the row becomes `sending` (attempts + 1) and the reader's
   * address comes back. Committed before any SMTP transaction starts.
   */
  claim(key: EditionKey, subscriberIds: number[]): Promise<ClaimResult[]>;
  /** Records the outcomes of `sending` rows in one transaction. */
  record(key: EditionKey, outcomes: CopyOutcome[]): Promise<void>;
  /** Rows per state for the edition. */
  counts(key: EditionKey): Promise<Record<SendState, number>>;
}
