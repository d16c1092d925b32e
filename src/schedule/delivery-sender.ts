import type { Config } from '../content/index.ts';
import { runPreSendGate, sendEdition, type SendStore, type Transport } from '../delivery/index.ts';
import { renderEdition } from '../render/index.ts';
import type { EditionSender, SendLedgerCounts } from './scheduler.ts';
import { addDays } from './format-times.ts';

export interface DeliverySenderOptions {
  /** The send ledger (src/storage's, on whichever engine). */
  sends: SendStore;
  config: Config;
  /** The Mailer (its sendRaw), or any Transport. */
  transport: Transport;
  /** The HMAC key for Message-IDs. */
  secret: string;
  /** The reader's signed unsubscribe URL (the audience tokens). */
  unsubscribeUrlFor(subscriberId: number, newsletterId: string): string;
  /** The copy's envelope sender naming the copy (inbound.domain); default the From address. */
  returnPathFor?(subscriberId: number, newsletterId: string, date: string): string;
  /** The reader's own List-Unsubscribe mailto address (inbound.domain). */
  unsubscribeMailtoFor?(subscriberId: number, newsletterId: string): string;
  /**
   * Run the pre-send gate before a scheduled edition's first send (`daybreak start` does; off unless
   * given). `realMail`: links must be https (SMTP_URL is set).
   */
  gate?: { enabled: boolean; realMail: boolean; env?: NodeJS.ProcessEnv };
  /** Longest wait between claims while other processes hold copies of the edition (default 1 s). */
  pollMs?: number;
}

/**
 * The scheduler's EditionSender over `sendEdition` and the send ledger: renders the edition once, then
 * sends it to every confirmed reader; a second call for the same edition (a resume, a retry, another
 * instance joining) sends only what is left, and several calls at once share the work.
 *
 * Shutdown: the scheduler's signal goes to sendEdition, which then claims and starts no new copy; copies
 * already handed to the SMTP client finish and are recorded; claimed copies not yet started are handed
 * back to the ledger at once.
 */
export function createDeliverySender(options: DeliverySenderOptions): EditionSender {
  const { sends, config } = options;
  return {
    async send({ newsletterId, date, edition, signal, retry }) {
      const newsletter = config.newsletters.find((n) => n.id === newsletterId);
      if (!newsletter) throw new Error(`Unknown newsletter "${newsletterId}"`);
      const rendered = await renderEdition(edition, config);
      const report = await sendEdition({
        store: retry ? queueingNobody(sends) : sends,
        transport: options.transport,
        config,
        newsletter,
        date,
        rendered,
        secret: options.secret,
        unsubscribeUrlFor: options.unsubscribeUrlFor,
        ...(options.returnPathFor ? { returnPathFor: options.returnPathFor } : {}),
        ...(options.unsubscribeMailtoFor ? { unsubscribeMailtoFor: options.unsubscribeMailtoFor } : {}),
        signal,
        ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      });
      return { ...report, interrupted: signal.aborted && report.deferred > 0 };
    },
    ...(!options.gate?.enabled
      ? {}
      : {
          async check({ newsletterId, date, edition }: { newsletterId: string; date: string; edition: Parameters<EditionSender['send']>[0]['edition'] }) {
            const newsletter = config.newsletters.find((n) => n.id === newsletterId);
            if (!newsletter) throw new Error(`Unknown newsletter "${newsletterId}"`);
            const rendered = await renderEdition(edition, config);
            const report = await runPreSendGate({
              config,
              newsletter,
              date,
              rendered,
              realMail: options.gate?.realMail ?? false,
              ...(options.gate?.env ? { env: options.gate.env } : {}),
            });
            return { ok: report.ok, failures: report.failures };
          },
        }),
    // The delivery area's own expiry: every unfinished copy of editions before the next one's date.
    expireDeferred(newsletterId, date) {
      return sends.expireEarlierEditions({ newsletter: newsletterId, date: addDays(date, 1) });
    },
    async ledgerCounts(newsletterId, date): Promise<SendLedgerCounts | null> {
      const c = await sends.counts({ newsletter: newsletterId, date });
      const total = Object.values(c).reduce((sum, n) => sum + n, 0);
      if (total === 0) return null;
      return {
        total,
        sent: c.sent,
        failed: c.failed,
        deferred: c.deferred,
        skipped: c.skipped + c.expired,
        pending: c.queued + c.sending,
        expired: c.expired,
      };
    },
    nextDeferredAttempt(newsletterId, date) {
      return sends.nextDeferredAttempt({ newsletter: newsletterId, date });
    },
  };
}

/**
 * The store for a retry of deferred copies: it queues nobody new, so a reader who confirmed at noon starts
 * with the next edition rather than with this morning's, hours late.
 */
function queueingNobody(store: SendStore): SendStore {
  return Object.assign(Object.create(null) as SendStore, store, { queueConfirmed: () => Promise.resolve(0) });
}
