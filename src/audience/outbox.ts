import type { OutboxKind } from './subscriber-store.ts';

/** One transactional mail in the outbox, as the dispatcher claims it. */
export interface OutboxItem {
  id: number;
  kind: OutboxKind;
  subscriberId: number;
  /** The newsletters the mail is about, in the order the change listed them. */
  newsletters: string[];
  /** Attempts including this one. */
  attempts: number;
  createdAt: string;
}

/**
 * The outbox's storage, declared by the dispatcher that drains it. Rows are claimed with a lease on the
 * database's clock, so several processes may drain one outbox and a crashed one's claims come back.
 */
export interface OutboxStore {
  /** Claims up to `limit` due rows for `worker` for `leaseSeconds`. */
  claimDue(worker: string, limit: number, leaseSeconds: number): Promise<OutboxItem[]>;
  markSent(id: number, worker: string): Promise<void>;
  /** Puts a failed row back for another attempt in `delaySeconds`, or marks it failed for good. */
  markFailed(id: number, worker: string, error: string, retryInSeconds: number | null): Promise<void>;
  /** Rows not sent yet (queued or being sent). */
  pendingCount(): Promise<number>;
  /** Seconds until the next queued row is due (0 when one is due now), or null when none is queued. */
  nextDueInSeconds(): Promise<number | null>;
}
