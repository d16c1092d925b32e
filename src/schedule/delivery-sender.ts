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
  /**
   * Opens the send ledger for one send and closes it after; default: the SQLite store on `db`'s own
   * connection. `daybreak start` passes the threaded store (createThreadedSendStore), so the ledger's
   * fsyncs run on a worker thread, not on the thread that also serves the web app.
   */
  openStore?: () => Promise<SendStore & { close(): Promise<void> }>;
}

/**
 * The scheduler's EditionSender over issue 4's `sendEdition` and its SQLite send ledger: renders the
 * edition once, then sends it to every confirmed reader; a second call for the same edition sends only
 * what is left (resume after a crash, deferred retries).
 *
 * Shutdown: the scheduler's signal goes to sendEdition, which then claims and starts no new copy; copies
 * already handed to the SMTP client (at most 2 × delivery.maxConnections) finish and are recorded; the
 * rest stay in the ledger for the next start.
 */
export function createDeliverySender(options: DeliverySenderOptions): EditionSender {
  const { db, config } = options;
  const store = createSqliteSendStore(db);
  const openStore = options.openStore ?? (async () => ({ ...store, close: async () => {} }));
  return {
    async send({ newsletterId, date, edition, signal, retry }) {
      const newsletter = config.newsletters.find((n) => n.id === newsletterId);
      if (!newsletter) throw new Error(`Unknown newsletter "${newsletterId}"`);
      const rendered = await renderEdition(edition, config);
      const ledger = await openStore();
      try {
        const report = await sendEdition({
          store: retry ? queueingNobody(ledger) : ledger,
          transport: options.transport,
          config,
          newsletter,
          date,
          rendered,
          secret: options.secret,
          unsubscribeUrlFor: options.unsubscribeUrlFor,
          signal,
          ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
        });
        return { ...report, interrupted: signal.aborted && report.deferred > 0 };
      } finally {
        await ledger.close();
      }
    },
    // The delivery area's own expiry: every unfinished copy of editions before the next one's date.
    expireDeferred(newsletterId, date) {
      return store.expireEarlierEditions({ newsletter: newsletterId, date: addDays(date, 1) });
    },
  };
}

/**
 * The store for a retry of deferred copies: it queues nobody new, so a reader who confirmed at noon starts
 * with the next edition rather than with this morning's, hours late.
 */
function queueingNobody(store: SendStore): SendStore {
  return {
    acquireLock: (...args) => store.acquireLock(...args),
    stealLock: (...args) => store.stealLock(...args),
    renewLock: (...args) => store.renewLock(...args),
    releaseLock: (...args) => store.releaseLock(...args),
    expireEarlierEditions: (...args) => store.expireEarlierEditions(...args),
    queueConfirmed: () => Promise.resolve(0),
    countConfirmed: (...args) => store.countConfirmed(...args),
    pendingAfter: (...args) => store.pendingAfter(...args),
    claim: (...args) => store.claim(...args),
    record: (...args) => store.record(...args),
    counts: (...args) => store.counts(...args),
  };
}
