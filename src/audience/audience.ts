import type { Config, Newsletter } from '../content/index.ts';
import { describeSchedule } from '../content/index.ts';
import type { Db } from '../db/index.ts';
import { DaybreakError } from '../errors.ts';
import type { RenderedEmail } from '../render/types.ts';
import { createSubscriberStore, type Consent, type SignUpOutcome, type SubscriberStore } from './subscriber-store.ts';
import { startSignUpWriter } from './signup-writer.ts';
import { ALL_NEWSLETTERS, type Tokens } from './tokens.ts';
import {
  fallbackTemplates,
  type ConfirmationMailer,
  type NewsletterSummary,
  type TransactionalTemplates,
} from './transactional.ts';

/** At most one confirmation mail per address per 24 hours, whatever the IP (issue 5). */
export const CONFIRMATION_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface SignUpRequest {
  email: string;
  name: string | null;
  newsletters: string[];
  consent: Consent;
}

export interface AudienceOptions {
  config: Config;
  db: Db;
  tokens: Tokens;
  mailer: ConfirmationMailer;
  templates?: TransactionalTemplates;
  now?: () => Date;
  confirmationIntervalMs?: number;
  /** How many mails go out at once from the background queue. */
  mailConcurrency?: number;
  /**
   * Commit sign-ups on a worker thread with its own connection (file databases only), so the fsync of a
   * group commit never stalls the web thread. `daybreak serve` turns it on; tests keep it off.
   */
  writerThread?: boolean;
  onWriterError?: (error: Error) => void;
  /**
   * Told about every mail that failed to go out (the web app logs it). It gets the subscriber's id, not
   * the address: logs are read by more people, and kept longer, than the subscriber table.
   */
  onMailError?: (error: unknown, subscriberId: number, kind: string) => void;
}

export type Audience = ReturnType<typeof createAudience>;

const PLACEHOLDER_TOKEN = 'DAYBREAKCONFIRMTOKENPLACEHOLDER';

/**
 * The readers' side of Daybreak without HTTP: sign up (group-committed), confirm (a token that works
 * once), unsubscribe (idempotent), and the three transactional mails, sent from a queue off the request
 * path so a sign-up answers in the same time whether or not a mail goes out.
 *
 * @example
 * const audience = createAudience({ config, db, tokens, mailer });
 * await audience.signUp({ email: 'ann@example.com', name: null, newsletters: ['morning'], consent });
 * await audience.drain();
 */
export function createAudience(options: AudienceOptions) {
  const { config, db, tokens, mailer } = options;
  const templates = options.templates ?? fallbackTemplates;
  const now = options.now ?? (() => new Date());
  const interval = options.confirmationIntervalMs ?? CONFIRMATION_INTERVAL_MS;
  const store: SubscriberStore = createSubscriberStore(db);
  const byId = new Map(config.newsletters.map((n) => [n.id, n]));
  const signUpUrl = config.baseUrl.replace(/\/+$/, '') + '/';

  const summary = (n: Newsletter): NewsletterSummary => ({ id: n.id, name: n.name, description: n.description, cadence: describeSchedule(n), schedule: { cron: n.schedule.cron, timezone: n.schedule.timezone } });
  const summaries = (ids: string[]): NewsletterSummary[] =>
    // In the config's order, whatever order the ids came in.
    config.newsletters.filter((n) => ids.includes(ALL_NEWSLETTERS) || ids.includes(n.id)).map(summary);

  // ---- the mail queue: bounded concurrency, never on the response path ----
  const queue: (() => Promise<void>)[] = [];
  let running = 0;
  const concurrency = options.mailConcurrency ?? 4;
  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const job = queue.shift()!;
      running += 1;
      void job().finally(() => {
        running -= 1;
        pump();
      });
    }
  };
  const enqueue = (kind: string, to: { email: string; subscriberId: number }, build: () => Promise<RenderedEmail>, onFailure?: () => void) => {
    queue.push(async () => {
      try {
        const mail = await build();
        await mailer.send({ to: to.email, subject: mail.subject, html: mail.html, text: mail.text });
      } catch (error) {
        try {
          onFailure?.();
        } catch {
          // the store may be closed at shutdown; the mail error below is the one worth reporting
        }
        options.onMailError?.(error, to.subscriberId, kind);
      }
    });
    // Next turn of the event loop, not now: the answer to the request goes out before any mail work.
    setImmediate(pump);
  };

  // The confirmation mail has no per-reader field but its link (never the typed name), so it is
  // rendered once per newsletter set and the token substituted: a burst of sign-ups costs no renders.
  const confirmationCache = new Map<string, Promise<RenderedEmail>>();
  const renderConfirmation = async (subscriberId: number, pending: string[]): Promise<RenderedEmail> => {
    const key = pending.join(',');
    let cached = confirmationCache.get(key);
    if (!cached) {
      const placeholderUrl = `${config.baseUrl.replace(/\/+$/, '')}/confirm?token=${PLACEHOLDER_TOKEN}`;
      cached = templates.confirmation({ publisher: config.publisher, newsletters: summaries(pending), confirmUrl: placeholderUrl, signUpUrl });
      confirmationCache.set(key, cached);
      cached.catch(() => confirmationCache.delete(key));
    }
    const mail = await cached;
    const token = tokens.confirmToken(subscriberId, pending, now());
    if (!mail.html.includes(PLACEHOLDER_TOKEN) || !mail.text.includes(PLACEHOLDER_TOKEN)) {
      // A template that transforms the URL: render this one properly.
      return templates.confirmation({ publisher: config.publisher, newsletters: summaries(pending), confirmUrl: tokens.confirmUrl(config.baseUrl, subscriberId, pending, now()), signUpUrl });
    }
    const fill = (s: string) => s.split(PLACEHOLDER_TOKEN).join(token);
    return { ...mail, subject: fill(mail.subject), html: fill(mail.html), text: fill(mail.text), preheader: mail.preheader && fill(mail.preheader) };
  };

  const afterSignUp = (request: SignUpRequest, outcome: SignUpOutcome, at: Date) => {
    if (!outcome.sendConfirmation) return;
    const stamp = at.toISOString();
    enqueue('confirmation', { email: request.email, subscriberId: outcome.subscriberId }, () => renderConfirmation(outcome.subscriberId, outcome.pending), () =>
      store.restoreConfirmationSentAt(outcome.subscriberId, outcome.previousConfirmationSentAt, stamp),
    );
  };

  // ---- group commit for sign-ups: one IMMEDIATE transaction per event-loop turn ----
  // With a writer thread the commit (and its fsync) runs there, and the next batch gathers meanwhile.
  const file = (db as { name?: string }).name;
  const writer = options.writerThread && file && file !== ':memory:' ? startSignUpWriter(file, (error) => options.onWriterError?.(error)) : null;
  let inFlight = false;
  const stats = { commits: 0, signUps: 0, onThread: 0 };
  let batch: { request: SignUpRequest; resolve: (outcome: SignUpOutcome) => void; reject: (e: unknown) => void }[] = [];
  type Item = (typeof batch)[number];

  const commitInline = (current: Item[], at: Date) => {
    let outcomes: SignUpOutcome[];
    try {
      outcomes = store.signUpMany(current.map((b) => b.request), at, interval);
    } catch {
      // One bad apple must not fail the others: fall back to one transaction each.
      for (const item of current) {
        try {
          const outcome = store.signUp(item.request, at, interval);
          afterSignUp(item.request, outcome, at);
          item.resolve(outcome);
        } catch (error) {
          item.reject(error);
        }
      }
      return;
    }
    current.forEach((item, i) => {
      afterSignUp(item.request, outcomes[i]!, at);
      item.resolve(outcomes[i]!);
    });
  };

  const flush = () => {
    if (batch.length === 0 || inFlight) return; // an in-flight batch flushes again when it lands
    const current = batch;
    batch = [];
    const at = now();
    stats.commits += 1;
    stats.signUps += current.length;
    if (!writer?.ready) return commitInline(current, at);
    stats.onThread += 1;
    inFlight = true;
    writer
      .write(current.map((b) => b.request), at, interval)
      .then(
        (outcomes) => current.forEach((item, i) => {
          afterSignUp(item.request, outcomes[i]!, at);
          item.resolve(outcomes[i]!);
        }),
        // The thread's transaction rolled back (or the thread died): do it here, one by one.
        () => commitInline(current, at),
      )
      .finally(() => {
        inFlight = false;
        flush();
      });
  };

  const check = (ids: string[]) => {
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length > 0) throw new DaybreakError('EINPUT', `We don't have a newsletter called "${unknown[0]}".`);
  };

  return {
    store,

    /**
     * Records the sign-up and queues the confirmation mail when one is due. Resolves after the commit,
     * the same way for new, pending, confirmed and unsubscribed addresses (the web app answers alike
     * whatever the outcome; `subscribers add` reports it to the publisher).
     */
    async signUp(request: SignUpRequest): Promise<SignUpOutcome> {
      check(request.newsletters);
      if (request.newsletters.length === 0) throw new DaybreakError('EINPUT', 'Choose at least one newsletter.');
      return new Promise<SignUpOutcome>((resolve, reject) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ request, resolve, reject });
      });
    },

    /** For GET /confirm: what the token would confirm, without changing anything. */
    async inspectConfirm(token: string): Promise<{ newsletters: NewsletterSummary[] }> {
      const claims = await tokens.verify(token, 'confirm', now());
      if (store.isTokenUsed(tokens.digest(token)) || !store.get(claims.subscriberId)) {
        throw new DaybreakError('ETOKEN', 'This link is invalid or has expired.');
      }
      return { newsletters: summaries(claims.newsletters) };
    },

    /** For POST /confirm: confirms, burns the token, queues the welcome mail. */
    async confirm(token: string): Promise<{ newsletters: NewsletterSummary[] }> {
      const at = now();
      const claims = await tokens.verify(token, 'confirm', at);
      const ids = claims.newsletters.filter((id) => byId.has(id));
      const changed = store.confirm(claims.subscriberId, ids, tokens.digest(token), at);
      const person = store.get(claims.subscriberId);
      if (changed.length > 0 && person && person.status === 'active') {
        enqueue('welcome', { email: person.email, subscriberId: person.id }, () =>
          templates.welcome({
            publisher: config.publisher,
            newsletters: summaries(changed),
            firstName: person.name,
            unsubscribeUrls: Object.fromEntries(changed.map((id) => [id, tokens.unsubscribeUrl(config.baseUrl, person.id, id)])),
            unsubscribeAllUrl: tokens.unsubscribeAllUrl(config.baseUrl, person.id),
            signUpUrl,
          }),
        );
      }
      return { newsletters: summaries(ids) };
    },

    /** For GET /unsubscribe: what the token is for, plus the "everything" token. */
    async inspectUnsubscribe(token: string): Promise<{ newsletters: NewsletterSummary[]; all: boolean; allToken: string }> {
      const claims = await tokens.verify(token, 'unsubscribe', now());
      return {
        newsletters: summaries(claims.newsletters),
        all: claims.newsletters.includes(ALL_NEWSLETTERS),
        allToken: tokens.unsubscribeToken(claims.subscriberId, ALL_NEWSLETTERS),
      };
    },

    /**
     * For POST /unsubscribe (and RFC 8058 one-click): unsubscribes at once; idempotent. The first time
     * something changes it sends one `unsubscribed` mail with a link to subscribe again; a repeat sends none.
     */
    async unsubscribe(token: string): Promise<{ newsletters: NewsletterSummary[]; all: boolean; changed: string[] }> {
      const at = now();
      const claims = await tokens.verify(token, 'unsubscribe', at);
      const changed = store.unsubscribe(claims.subscriberId, claims.newsletters, at);
      const person = changed.length > 0 ? store.get(claims.subscriberId) : undefined;
      if (person && person.status === 'active') {
        enqueue('unsubscribed', { email: person.email, subscriberId: person.id }, () =>
          templates.unsubscribed({
            publisher: config.publisher,
            newsletters: summaries(changed),
            resubscribeUrl: tokens.confirmUrl(config.baseUrl, person.id, changed, at),
            signUpUrl,
            stillSubscribed: summaries(person.subscriptions.filter((s) => s.status === 'confirmed').map((s) => s.newsletter)),
          }),
        );
      }
      return { newsletters: summaries(claims.newsletters), all: claims.newsletters.includes(ALL_NEWSLETTERS), changed };
    },

    /** Resolves once every pending sign-up is committed and every queued mail handed over (or failed). */
    async drain(): Promise<void> {
      while (batch.length > 0 || inFlight || queue.length > 0 || running > 0) await new Promise((r) => setTimeout(r, 5));
    },

    /** Drains, then stops the writer thread (if any). */
    async close(): Promise<void> {
      await this.drain();
      await writer?.close();
    },

    /** Group-commit counters: transactions, sign-ups in them, and how many ran on the writer thread. */
    get stats() {
      return { ...stats };
    },

    /** True once the writer thread (when asked for) has opened the database. */
    get writerReady(): boolean {
      return writer?.ready ?? false;
    },

    /** Mails waiting or in flight. */
    get pendingMail(): number {
      return queue.length + running;
    },
  };
}
