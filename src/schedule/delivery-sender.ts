import { readerZone } from '../audience/index.ts';
import { editionForChoice, isLocalTime, localTimeOn, type Config, type Edition, type Newsletter } from '../content/index.ts';
import { runPreSendGate, sendEdition, type DueAt, type SendStore, type Transport } from '../delivery/index.ts';
import { renderEdition, type PersonalizableEdition } from '../designs/index.ts';
import type { EditionSender, SendLedgerCounts } from './scheduler-types.ts';
import { addDays } from './format-times.ts';
import { runCountsFromSends } from './run-counts-from-sends.ts';

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
  /**
   * Keeps the edition's web copy as it goes out (the archive's "View in your browser" page), before its
   * first copy is sent. The first copy kept for an edition stays.
   */
  keepForArchive?(newsletter: Newsletter, date: string, rendered: PersonalizableEdition): Promise<void>;
  /** The reader's signed preference-page URL (tokens.manageUrl). */
  manageUrlFor?(subscriberId: number): string;
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
  /** Renders an edition (default renderEdition): once for everyone, once more per distinct section choice. */
  render?(edition: Edition, config: Config): Promise<PersonalizableEdition>;
  /** Warnings (a reader's stored timezone that is not valid). */
  log?(line: string): void;
}

/**
 * Local-time delivery's due times for edition `date`: `schedule.localTime` on that date in each reader's
 * zone; a stored zone that is not valid falls back to the newsletter's, with one warning per zone.
 *
 * @example
 * const dueAt = localTimeDueAt(newsletter, '2026-03-08', console.warn);
 * dueAt('Europe/London'); // 2026-03-08T06:00:00.000Z for "06:00"
 */
export function localTimeDueAt(newsletter: Newsletter, date: string, warn: (line: string) => void = () => {}): DueAt {
  const localTime = newsletter.schedule.localTime;
  if (localTime === undefined) throw new Error(`${newsletter.id} has no schedule.localTime`);
  const warned = new Set<string>();
  return (zone) =>
    localTimeOn(date, localTime, readerZone(zone, newsletter.schedule.timezone, (bad) => {
      if (warned.has(bad)) return;
      warned.add(bad);
      warn(`${newsletter.id} ${date}: readers with the stored timezone ${JSON.stringify(bad)} (not an IANA zone) get the newsletter's ${newsletter.schedule.timezone} time instead`);
    }));
}

/** The edition as JSON for the ledger's pin (dates as ISO text; the newsletter is taken from the config). */
function serializeEdition(edition: Edition): string {
  const { newsletter, ...rest } = edition;
  return JSON.stringify({ ...rest, newsletterId: newsletter.id });
}

/** A pinned edition (SendStore.pinned) back as an Edition of `newsletter`. */
export function parsePinnedEdition(text: string, newsletter: Newsletter): Edition {
  const raw = JSON.parse(text) as Omit<Edition, 'newsletter' | 'sendAt' | 'window'> & { sendAt: string; window: { from: string; to: string } };
  return { ...raw, newsletter, sendAt: new Date(raw.sendAt), window: { from: new Date(raw.window.from), to: new Date(raw.window.to) } };
}

/**
 * The edition every wave of a local-time day sends: the first caller's, stored in the ledger; later
 * waves, other workers and a restart get that one back whatever the article folder holds by then.
 */
export async function pinEdition(sends: SendStore, edition: Edition): Promise<Edition> {
  const stored = await sends.pinEdition({ newsletter: edition.newsletter.id, date: edition.date }, serializeEdition(edition));
  return parsePinnedEdition(stored, edition.newsletter);
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
    async send({ newsletterId, date, edition, signal, retry, missedBefore, now }) {
      const newsletter = config.newsletters.find((n) => n.id === newsletterId);
      if (!newsletter) throw new Error(`Unknown newsletter "${newsletterId}"`);
      const render = options.render ?? renderEdition;
      const localTime = isLocalTime(newsletter);
      const sent = localTime ? await pinEdition(sends, edition) : edition;
      const rendered = await render(sent, config);
      if (!retry) await options.keepForArchive?.(newsletter, date, rendered);
      const report = await sendEdition({
        store: retry ? queueingNobody(sends) : sends,
        transport: options.transport,
        config,
        newsletter,
        date,
        rendered,
        secret: options.secret,
        unsubscribeUrlFor: options.unsubscribeUrlFor,
        ...(options.manageUrlFor ? { manageUrlFor: options.manageUrlFor } : {}),
        renderChoice: (choice) => render(editionForChoice(sent, choice), config),
        ...(localTime ? { dueAt: localTimeDueAt(newsletter, date, options.log) } : {}),
        ...(now ? { now } : {}),
        ...(localTime && missedBefore
          ? { missed: { before: missedBefore, reason: `missed: the scheduler was not running at this reader's ${newsletter.schedule.localTime} and came back past the ${newsletter.schedule.graceMinutes}-minute grace window` } }
          : {}),
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
    async ledgerCounts(newsletterId, date, at): Promise<SendLedgerCounts | null> {
      const c = await sends.counts({ newsletter: newsletterId, date });
      const counts = runCountsFromSends(c);
      if (!counts) return null;
      const waiting = (await sends.waiting({ newsletter: newsletterId, date }, at)).count;
      return { ...counts, pending: c.queued + c.sending - waiting, expired: c.expired, waiting };
    },
    nextDeferredAttempt(newsletterId, date) {
      return sends.nextDeferredAttempt({ newsletter: newsletterId, date });
    },
    readerZones: (newsletterId) => sends.readerZones(newsletterId),
    waves: (newsletterId, date, at) => sends.waves({ newsletter: newsletterId, date }, at),
    async pinned(newsletterId, date) {
      const newsletter = config.newsletters.find((n) => n.id === newsletterId);
      if (!newsletter) return null;
      const stored = await sends.pinned({ newsletter: newsletterId, date });
      return stored === null ? null : parsePinnedEdition(stored, newsletter);
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
