import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Config, Newsletter } from '../content/index.ts';
import { describeSchedule } from '../content/index.ts';
import type { RenderedEmail } from '../render/types.ts';
import type { OutboxItem, OutboxStore } from './outbox.ts';
import type { SubscriberStore } from './subscriber-store.ts';
import type { Tokens } from './tokens.ts';
import type { ConfirmationMailer, NewsletterSummary, TransactionalTemplates } from './transactional.ts';

export interface OutboxDispatcherOptions {
  config: Config;
  outbox: OutboxStore;
  subscribers: SubscriberStore;
  tokens: Tokens;
  mailer: ConfirmationMailer;
  templates: TransactionalTemplates;
  now?: () => Date;
  /** How often the outbox is looked at when nothing asked for it (another process may have queued mail). */
  pollMs?: number;
  /** How long a claimed mail stays reserved for this process. */
  leaseSeconds?: number;
  /** Mails sent at once. */
  concurrency?: number;
  /**
   * Told about every mail that failed to go out, never given the reader's address; `item` null when the
   * outbox itself could not be read (the database unreachable, say): nothing was claimed, the next poll
   * tries again.
   */
  onError?: (error: unknown, item: OutboxItem | null, final: boolean) => void;
  /** Told about every mail handed to the mail server. */
  onSent?: (item: OutboxItem) => void;
  /** Seconds before the next attempt after `attempts` failed ones (default outboxBackoffSeconds). */
  backoffSeconds?: (attempts: number) => number;
}

export interface OutboxDispatcher {
  /** Starts polling. */
  start(): void;
  /** Looks at the outbox now (after a sign-up, a confirmation, an unsubscribe). */
  kick(): void;
  /** Resolves when every mail that is due now has been sent or put back for a later attempt. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** After this many attempts a mail is marked failed (with backoff capped at an hour, about a day of tries). */
export const OUTBOX_MAX_ATTEMPTS = 30;

const PLACEHOLDER_TOKEN = 'DAYBREAKCONFIRMTOKENPLACEHOLDER';
const PLACEHOLDER_MANAGE = 'DAYBREAKMANAGETOKENPLACEHOLDER';

/** Seconds before attempt `attempts + 1`: 30 s doubling, at most an hour. */
export function outboxBackoffSeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends the transactional mails the outbox holds (confirmation, welcome, unsubscribed), rendering each
 * when it goes, not when it was queued. A failure puts the row back with backoff; a crash leaves it
 * leased, and the lease running out gives it to the next pass of any process. So an SMTP outage or a
 * crash delays a confirmation, never loses it.
 *
 * @example
 * const dispatcher = createOutboxDispatcher({ config, outbox, subscribers, tokens, mailer, templates });
 * dispatcher.start();
 */
export function createOutboxDispatcher(options: OutboxDispatcherOptions): OutboxDispatcher {
  const { config, outbox, subscribers, tokens, mailer, templates } = options;
  const now = options.now ?? (() => new Date());
  const pollMs = options.pollMs ?? 5000;
  const leaseSeconds = options.leaseSeconds ?? 120;
  const concurrency = options.concurrency ?? 4;
  const worker = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const signUpUrl = config.baseUrl.replace(/\/+$/, '') + '/';
  const byId = new Map(config.newsletters.map((n) => [n.id, n]));

  const summary = (n: Newsletter): NewsletterSummary => ({
    id: n.id, name: n.name, description: n.description, cadence: describeSchedule(n),
    schedule: { cron: n.schedule.cron, timezone: n.schedule.timezone, ...(n.schedule.localTime ? { localTime: n.schedule.localTime } : {}) },
  });
  // In the config's order, whatever order the ids came in; every URL list below follows this order.
  const summaries = (ids: string[]): NewsletterSummary[] =>
    config.newsletters.filter((n) => ids.includes('*') || ids.includes(n.id)).map(summary);

  // The confirmation mail has no per-reader field but its link, so it is rendered once per newsletter set
  // and the token substituted: a burst of sign-ups costs no renders.
  const confirmationCache = new Map<string, Promise<RenderedEmail>>();
  const renderConfirmation = async (subscriberId: number, pending: string[]): Promise<RenderedEmail> => {
    const key = pending.join(',');
    let cached = confirmationCache.get(key);
    if (!cached) {
      const placeholderUrl = `${config.baseUrl.replace(/\/+$/, '')}/confirm?token=${PLACEHOLDER_TOKEN}`;
      const placeholderManage = `${config.baseUrl.replace(/\/+$/, '')}/manage?token=${PLACEHOLDER_MANAGE}`;
      cached = templates.confirmation({ publisher: config.publisher, newsletters: summaries(pending), confirmUrl: placeholderUrl, signUpUrl, manageUrl: placeholderManage });
      confirmationCache.set(key, cached);
      cached.catch(() => confirmationCache.delete(key));
    }
    const mail = await cached;
    const token = tokens.confirmToken(subscriberId, pending, now());
    const manage = tokens.manageToken(subscriberId);
    if (!mail.html.includes(PLACEHOLDER_TOKEN) || !mail.text.includes(PLACEHOLDER_TOKEN)) {
      return templates.confirmation({
        publisher: config.publisher, newsletters: summaries(pending), confirmUrl: tokens.confirmUrl(config.baseUrl, subscriberId, pending, now()), signUpUrl,
        manageUrl: tokens.manageUrl(config.baseUrl, subscriberId),
      });
    }
    const fill = (s: string) => s.split(PLACEHOLDER_TOKEN).join(token).split(PLACEHOLDER_MANAGE).join(manage);
    return { ...mail, subject: fill(mail.subject), html: fill(mail.html), text: fill(mail.text), preheader: mail.preheader && fill(mail.preheader) };
  };

  /** The mail for one row, or null when there is nobody to send it to any more. */
  const build = async (item: OutboxItem): Promise<{ to: string; mail: RenderedEmail } | null> => {
    const person = await subscribers.get(item.subscriberId);
    if (!person || person.status !== 'active') return null;
    const ids = item.newsletters.filter((id) => byId.has(id));
    if (ids.length === 0) return null;
    if (item.kind === 'confirmation') {
      const pending = person.subscriptions.filter((s) => s.status === 'pending').map((s) => s.newsletter).filter((id) => ids.includes(id));
      // Confirmed (or left) since it was queued: nothing to confirm any more.
      if (pending.length === 0) return null;
      return { to: person.email, mail: await renderConfirmation(person.id, pending) };
    }
    if (item.kind === 'welcome') {
      const welcomed = summaries(ids);
      return {
        to: person.email,
        mail: await templates.welcome({
          publisher: config.publisher,
          newsletters: welcomed,
          firstName: person.name,
          // Keyed by newsletter id, so each link leaves the newsletter it is shown beside.
          unsubscribeUrls: Object.fromEntries(welcomed.map((n) => [n.id, tokens.unsubscribeUrl(config.baseUrl, person.id, n.id)])),
          unsubscribeAllUrl: tokens.unsubscribeAllUrl(config.baseUrl, person.id),
          signUpUrl,
          manageUrl: tokens.manageUrl(config.baseUrl, person.id),
        }),
      };
    }
    return {
      to: person.email,
      mail: await templates.unsubscribed({
        publisher: config.publisher,
        newsletters: summaries(ids),
        resubscribeUrl: tokens.confirmUrl(config.baseUrl, person.id, ids, now()),
        signUpUrl,
        stillSubscribed: summaries(person.subscriptions.filter((s) => s.status === 'confirmed').map((s) => s.newsletter)),
        manageUrl: tokens.manageUrl(config.baseUrl, person.id),
      }),
    };
  };

  /** Returns false when the mail could not be sent (it is back in the outbox, or failed for good). */
  const deliver = async (item: OutboxItem): Promise<boolean> => {
    try {
      const built = await build(item);
      // RFC 3834 §5: mail a program sends on an event is marked auto-generated, so vacation responders
      // do not answer it.
      if (built) await mailer.send({ to: built.to, subject: built.mail.subject, html: built.mail.html, text: built.mail.text, headers: { 'Auto-Submitted': 'auto-generated' } });
      await outbox.markSent(item.id, worker);
      if (built) options.onSent?.(item);
      return true;
    } catch (error) {
      const final = item.attempts >= OUTBOX_MAX_ATTEMPTS;
      options.onError?.(error, item, final);
      const message = error instanceof Error ? error.message : String(error);
      const backoff = options.backoffSeconds ?? outboxBackoffSeconds;
      await outbox.markFailed(item.id, worker, message, final ? null : backoff(item.attempts)).catch(() => {});
      return false;
    }
  };

  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  /** Whether the last pass met a failure (then it stopped: the next poll or kick tries again). */
  let lastPassFailed = false;

  const pass = async () => {
    lastPassFailed = false;
    do {
      again = false;
      for (;;) {
        const items = await outbox.claimDue(worker, concurrency, leaseSeconds);
        if (items.length === 0) break;
        const delivered = await Promise.all(items.map(deliver));
        if (stopped) return;
        // A failure is usually the mail server's (an outage): stop here rather than spin through the rest.
        if (delivered.includes(false)) {
          lastPassFailed = true;
          return;
        }
      }
    } while (again && !stopped);
  };

  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((error: unknown) => options.onError?.(error, null, false))
      .finally(() => {
        running = null;
      });
  };

  return {
    start() {
      if (timer || stopped) return;
      timer = setInterval(kick, pollMs);
      timer.unref();
      kick();
    },
    kick: () => setImmediate(kick),
    async drain() {
      // Until a pass finds nothing due: a pass already running may have started before the last change.
      for (;;) {
        while (running) await running;
        kick();
        const current = running as Promise<void> | null;
        if (!current) return;
        await current;
        if (lastPassFailed || (await outbox.nextDueInSeconds()) !== 0) return;
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      while (running) await running;
    },
  };
}
