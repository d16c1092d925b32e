import type { Config } from '../content/index.ts';
import type { Db } from '../db/index.ts';
import { createSqliteSendStore, sendEdition, type SendStore, type Transport } from '../delivery/index.ts';
import { renderEdition } from '../render/index.ts';
import type { EditionSender } from './scheduler.ts';
import { addDays } from './format-times.ts';

export interface DeliverySenderOptions {
  db: Db;
  config: Config;
  /** The Mailer (its sendRaw), or any Transport. */
  transport: Transport;
  /** The HMAC key (loadSecret) for Message-IDs. */
  secret: string;
  /** The reader's signed unsubscribe URL (the audience tokens). */
  unsubscribeUrlFor(subscriberId: number, newsletterId: string): string;
  /** How long a send waits for another process's lock on the same edition (default 0: refuse). */
  lockWaitMs?: number;
}

/** The reply a copy gets when shutdown stops it before its SMTP transaction began. */
const SHUTDOWN_REPLY = '421 4.3.2 Daybreak is shutting down; this copy stays in the ledger for the next start';

/**
 * The scheduler's EditionSender over issue 4's `sendEdition` and its SQLite send ledger: renders the
 * edition once, then sends it to every confirmed reader; a second call for the same edition sends only
 * what is left (resume after a crash, deferred retries).
 *
 * Shutdown: once `signal` aborts, no new copy is claimed from the ledger, and a claimed copy whose SMTP
 * transaction has not begun is handed back as a transient 421 (so it stays deferred, never lost); copies
 * already handed to the SMTP client (sendEdition's window, at most 2 × delivery.maxConnections) finish
 * normally. sendEdition takes no AbortSignal, so this is done
 * around it, by wrapping its store and transport.
 */
export function createDeliverySender(options: DeliverySenderOptions): EditionSender {
  const { db, config } = options;
  const store = createSqliteSendStore(db);
  return {
    async send({ newsletterId, date, edition, signal, retry }) {
      const newsletter = config.newsletters.find((n) => n.id === newsletterId);
      if (!newsletter) throw new Error(`Unknown newsletter "${newsletterId}"`);
      const rendered = await renderEdition(edition, config);
      const report = await sendEdition({
        store: stopClaimingOnAbort(store, signal, retry),
        transport: refuseNewOnAbort(options.transport, signal),
        config,
        newsletter,
        date,
        rendered,
        secret: options.secret,
        unsubscribeUrlFor: options.unsubscribeUrlFor,
        ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
      });
      return { ...report, interrupted: signal.aborted && report.deferred > 0 };
    },
    // The delivery area's own expiry: every unfinished copy of editions before the next one's date.
    expireDeferred(newsletterId, date) {
      return store.expireEarlierEditions({ newsletter: newsletterId, date: addDays(date, 1) });
    },
  };
}

/**
 * The store as sendEdition sees it from the scheduler: after `signal` aborts it hands out no more copies;
 * on a retry of deferred copies it queues nobody new (a reader who confirmed at noon starts with the next
 * edition, not with this morning's, hours late).
 */
function stopClaimingOnAbort(store: SendStore, signal: AbortSignal, retry: boolean): SendStore {
  return {
    ...store,
    acquireLock: (...args) => store.acquireLock(...args),
    stealLock: (...args) => store.stealLock(...args),
    renewLock: (...args) => store.renewLock(...args),
    releaseLock: (...args) => store.releaseLock(...args),
    expireEarlierEditions: (...args) => store.expireEarlierEditions(...args),
    queueConfirmed: (...args) => (retry ? Promise.resolve(0) : store.queueConfirmed(...args)),
    countConfirmed: (...args) => store.countConfirmed(...args),
    record: (...args) => store.record(...args),
    counts: (...args) => store.counts(...args),
    pendingAfter: (key, after, limit) => (signal.aborted ? Promise.resolve([]) : store.pendingAfter(key, after, limit)),
    claim: (key, ids) =>
      signal.aborted ? Promise.resolve(ids.map((subscriberId) => ({ status: 'gone' as const, subscriberId }))) : store.claim(key, ids),
  };
}

function refuseNewOnAbort(transport: Transport, signal: AbortSignal): Transport {
  return {
    sendRaw(message) {
      if (signal.aborted) {
        return Promise.reject(Object.assign(new Error(SHUTDOWN_REPLY), { responseCode: 421, response: SHUTDOWN_REPLY, command: 'shutdown' }));
      }
      return transport.sendRaw(message);
    },
  };
}
