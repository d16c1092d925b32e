import type { DueAt, EditionKey, SendStore } from './send-store.ts';

/** The edition's ledger as this run starts. */
export interface QueuedEdition {
  /** Copies sent before this run. */
  alreadySent: number;
  /** Copies this run may handle: queued, in flight elsewhere or deferred, and due now. */
  pending: number;
  /** Every copy of the edition that is due (pending, sent, failed, skipped). */
  total: number;
}

/**
 * Readies the send ledger for a run: expires what is left of the newsletter's earlier editions (their
 * time is over), queues a row for every confirmed reader who has none, re-times queued copies from the
 * readers' zones as they are now (local-time delivery), expires copies of a missed wave, and reopens
 * copies an earlier run left deferred with a fresh retry budget. Safe to run again: every step skips
 * what is already done.
 *
 * @example
 * const { alreadySent, pending, total } = await queueEdition({ store, key, now: () => new Date() });
 */
export async function queueEdition(options: {
  store: SendStore;
  key: EditionKey;
  now: () => Date;
  dueAt?: DueAt | undefined;
  missed?: { before: Date; reason: string } | undefined;
}): Promise<QueuedEdition> {
  const { store, key, now, dueAt, missed } = options;
  await store.expireEarlierEditions(key, now());
  const before = await store.counts(key);
  await store.queueConfirmed(key, 1000, dueAt ? { dueAt } : {});
  if (dueAt) await store.reschedule(key, dueAt);
  if (dueAt && missed) await store.expireMissed(key, missed.before, missed.reason);
  await store.reopenDeferred(key);
  const atStart = await store.counts(key);
  const later = dueAt ? (await store.waiting(key, now())).count : 0;
  const pending = atStart.queued + atStart.sending + atStart.deferred - later;
  return { alreadySent: before.sent, pending, total: pending + atStart.sent + atStart.failed + atStart.skipped };
}
