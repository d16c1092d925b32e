import type { Config, Newsletter } from '../content/index.ts';
import { describeSchedule } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';
import { createOutboxDispatcher, type OutboxDispatcher } from './outbox-dispatcher.ts';
import type { OutboxItem, OutboxStore } from './outbox.ts';
import type { Consent, SignUpOutcome, SubscriberStore, SubscriptionStatus } from './subscriber-store.ts';
import { canonicalTimezone, unknownTimezoneMessage } from './timezone.ts';
import { ALL_NEWSLETTERS, type Tokens } from './tokens.ts';
import { fallbackTemplates, type ConfirmationMailer, type NewsletterSummary, type TransactionalTemplates } from './transactional.ts';

/** At most one confirmation mail per address per 24 hours, whatever the IP. */
export const CONFIRMATION_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface SignUpRequest {
  email: string;
  name: string | null;
  newsletters: string[];
  consent: Consent;
  /** The browser's IANA zone, already validated (TimezoneSchema); kept for a new person. */
  timezone?: string | null;
}

/** One newsletter on the preference page. */
export interface ManagedNewsletter extends NewsletterSummary {
  /** Receiving it: confirmed, or signed up and awaiting confirmation. */
  on: boolean;
  status: SubscriptionStatus | null;
  /** The sections the newsletter offers to choose from, or null when it offers no choice. */
  offered: string[] | null;
  /** The sections the reader receives: every offered one unless they chose fewer. */
  chosen: string[] | null;
}

/** The preference page's view of one reader. */
export interface Preferences {
  name: string | null;
  /** Their stored zone, or null (each newsletter's own). */
  timezone: string | null;
  newsletters: ManagedNewsletter[];
}

/**
 * What the preference page posts: the full state of its form. `newsletters` are the ids to receive (all
 * others stop); `sections` the chosen sections per newsletter (a newsletter that offers a choice and is
 * missing here gets none chosen, as an unticked form sends nothing); `name` and `timezone` stay as they
 * are when undefined, and an empty one is cleared.
 */
export interface PreferenceForm {
  newsletters: string[];
  sections: Record<string, string[]>;
  name?: string | null;
  timezone?: string | null;
}

export interface AudienceOptions {
  config: Config;
  subscribers: SubscriberStore;
  outbox: OutboxStore;
  tokens: Tokens;
  mailer: ConfirmationMailer;
  templates?: TransactionalTemplates;
  now?: () => Date;
  confirmationIntervalMs?: number;
  /** How many mails go out at once from the outbox. */
  mailConcurrency?: number;
  /** How often the outbox is polled for mail queued by other processes (default 5 s). */
  outboxPollMs?: number;
  /** Told about every mail that failed to go out (the web app logs it, by subscriber id); `item` null when the outbox could not be read. */
  onMailError?: (error: unknown, item: OutboxItem | null, final: boolean) => void;
  /** Told about every mail handed to the mail server. */
  onMailSent?: (item: OutboxItem) => void;
  /** Seconds before a failed mail is tried again, by attempts so far (default: 30 s doubling, at most an hour). */
  mailBackoffSeconds?: (attempts: number) => number;
}

export type Audience = ReturnType<typeof createAudience>;

/**
 * The readers' side of Daybreak without HTTP: sign up (group-committed), confirm (a token that works
 * once), unsubscribe (idempotent). The three transactional mails are rows in the outbox, committed with
 * the change that causes them and sent from there, off the request path.
 *
 * @example
 * const audience = createAudience({ config, subscribers, outbox, tokens, mailer });
 * await audience.signUp({ email: 'ann@example.com', name: null, newsletters: ['morning'], consent });
 * await audience.drain();
 */
export function createAudience(options: AudienceOptions) {
  const { config, tokens } = options;
  const store = options.subscribers;
  const now = options.now ?? (() => new Date());
  const interval = options.confirmationIntervalMs ?? CONFIRMATION_INTERVAL_MS;
  const byId = new Map(config.newsletters.map((n) => [n.id, n]));

  const dispatcher: OutboxDispatcher = createOutboxDispatcher({
    config,
    outbox: options.outbox,
    subscribers: store,
    tokens,
    mailer: options.mailer,
    templates: options.templates ?? fallbackTemplates,
    now,
    ...(options.outboxPollMs !== undefined ? { pollMs: options.outboxPollMs } : {}),
    ...(options.mailConcurrency !== undefined ? { concurrency: options.mailConcurrency } : {}),
    ...(options.onMailError ? { onError: options.onMailError } : {}),
    ...(options.onMailSent ? { onSent: options.onMailSent } : {}),
    ...(options.mailBackoffSeconds ? { backoffSeconds: options.mailBackoffSeconds } : {}),
  });

  const summary = (n: Newsletter): NewsletterSummary => ({ id: n.id, name: n.name, description: n.description, cadence: describeSchedule(n), schedule: { cron: n.schedule.cron, timezone: n.schedule.timezone, ...(n.schedule.localTime ? { localTime: n.schedule.localTime } : {}) } });
  const summaries = (ids: string[]): NewsletterSummary[] =>
    config.newsletters.filter((n) => ids.includes(ALL_NEWSLETTERS) || ids.includes(n.id)).map(summary);

  // ---- group commit for sign-ups: one transaction per event-loop turn ----
  let inFlight = false;
  const stats = { commits: 0, signUps: 0 };
  let batch: { request: SignUpRequest; resolve: (outcome: SignUpOutcome) => void; reject: (e: unknown) => void }[] = [];
  type Item = (typeof batch)[number];

  const after = (outcomes: SignUpOutcome[]) => {
    if (outcomes.some((o) => o.sendConfirmation)) dispatcher.kick();
  };

  const commitOneByOne = async (current: Item[], at: Date) => {
    for (const item of current) {
      try {
        const [outcome] = await store.signUpMany([item.request], at, interval);
        after([outcome!]);
        item.resolve(outcome!);
      } catch (error) {
        item.reject(error);
      }
    }
  };

  const flush = () => {
    if (batch.length === 0 || inFlight) return; // an in-flight batch flushes again when it lands
    const current = batch;
    batch = [];
    const at = now();
    stats.commits += 1;
    stats.signUps += current.length;
    inFlight = true;
    store
      .signUpMany(current.map((b) => b.request), at, interval)
      .then(
        (outcomes) => {
          after(outcomes);
          current.forEach((item, i) => item.resolve(outcomes[i]!));
        },
        async (error: unknown) => {
          // A locked database fails them all alike (the caller answers 503); anything else may be one bad
          // apple, which must not fail the others.
          if (error instanceof DaybreakError && error.code === 'EBUSY') current.forEach((item) => item.reject(error));
          else await commitOneByOne(current, at);
        },
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

  const invalid = () => new DaybreakError('ETOKEN', 'This link is invalid or has expired.');

  // A removed person's link answers like a forged one: the page reveals nothing about who exists.
  const preferencesOf = async (subscriberId: number): Promise<Preferences> => {
    const person = await store.get(subscriberId);
    if (!person) throw invalid();
    const subs = new Map(person.subscriptions.map((s) => [s.newsletter, s]));
    return {
      name: person.name,
      timezone: person.timezone,
      newsletters: config.newsletters.map((n) => {
        const sub = subs.get(n.id);
        const offered = n.readerChoices?.sections ?? null;
        const on = sub?.status === 'confirmed' || sub?.status === 'pending';
        return {
          ...summary(n),
          on,
          status: sub?.status ?? null,
          offered,
          chosen: offered === null ? null : sub?.sections ? offered.filter((s) => sub.sections!.includes(s)) : offered,
        };
      }),
    };
  };

  return {
    store,

    /**
     * Records the sign-up (and, when due, its confirmation mail in the outbox). Resolves after the commit;
     * resolves the same way for new, pending, confirmed and unsubscribed addresses (the web app answers
     * alike; `subscribers add` reads the outcome to say whether a confirmation was queued).
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
      if ((await store.isTokenUsed(tokens.digest(token))) || !(await store.get(claims.subscriberId))) throw invalid();
      return { newsletters: summaries(claims.newsletters) };
    },

    /** For POST /confirm: confirms, burns the token, queues the welcome mail. */
    async confirm(token: string): Promise<{ newsletters: NewsletterSummary[] }> {
      const at = now();
      const claims = await tokens.verify(token, 'confirm', at);
      const ids = claims.newsletters.filter((id) => byId.has(id));
      const changed = await store.confirm(claims.subscriberId, ids, tokens.digest(token), at);
      if (changed.length > 0) dispatcher.kick();
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
     * something changes from the page it queues one `unsubscribed` mail with a link to subscribe again; a
     * repeat queues none, and neither does a one-click unsubscribe (`oneClick`): the mail client did it
     * for the reader, who asked for no more mail.
     */
    async unsubscribe(token: string, options: { oneClick?: boolean } = {}): Promise<{ newsletters: NewsletterSummary[]; all: boolean; changed: string[] }> {
      const at = now();
      const claims = await tokens.verify(token, 'unsubscribe', at);
      const changed = await store.unsubscribe(claims.subscriberId, claims.newsletters, at, { notify: !options.oneClick });
      if (changed.length > 0) dispatcher.kick();
      return { newsletters: summaries(claims.newsletters), all: claims.newsletters.includes(ALL_NEWSLETTERS), changed };
    },

    /** For GET /manage: the reader's newsletters, sections, name and zone. Changes nothing. */
    async inspectManage(token: string): Promise<Preferences> {
      const claims = await tokens.verify(token, 'manage', now());
      return preferencesOf(claims.subscriberId);
    },

    /**
     * For POST /manage: checks everything first (an unknown newsletter, section or timezone is EINPUT
     * naming it, and nothing changes), then applies the whole form in one transaction. Turning a
     * newsletter on needs no confirmation (the link proves the address); turning everything off is an
     * unsubscribe, with its one `unsubscribed` mail.
     */
    async updateManage(token: string, form: PreferenceForm): Promise<Preferences & { subscribed: string[]; unsubscribed: string[] }> {
      const at = now();
      const claims = await tokens.verify(token, 'manage', at);
      const person = await store.get(claims.subscriberId);
      if (!person) throw invalid();
      check(form.newsletters);
      for (const [id, sections] of Object.entries(form.sections)) {
        const newsletter = byId.get(id);
        if (!newsletter) throw new DaybreakError('EINPUT', `We don't have a newsletter called "${id}".`);
        const offered = newsletter.readerChoices?.sections;
        if (!offered) throw new DaybreakError('EINPUT', `${newsletter.name} has no sections to choose from.`);
        const unknown = sections.find((s) => !offered.includes(s));
        if (unknown !== undefined) {
          throw new DaybreakError('EINPUT', `${newsletter.name} has no section called "${unknown}" (its sections: ${offered.join(', ')}).`);
        }
      }
      let timezone = form.timezone;
      if (timezone !== undefined && timezone !== null && timezone !== '') {
        const zone = canonicalTimezone(timezone);
        if (zone === null) throw new DaybreakError('EINPUT', unknownTimezoneMessage(timezone));
        timezone = zone;
      } else if (timezone === '') timezone = null;
      const wanted = new Set(form.newsletters);
      const current = new Map(person.subscriptions.map((s) => [s.newsletter, s.status]));
      const subscribe = config.newsletters.filter((n) => wanted.has(n.id) && current.get(n.id) !== 'confirmed').map((n) => n.id);
      const unsubscribe = config.newsletters
        .filter((n) => !wanted.has(n.id) && (current.get(n.id) === 'confirmed' || current.get(n.id) === 'pending'))
        .map((n) => n.id);
      const sections: Record<string, string[] | null> = {};
      for (const n of config.newsletters) {
        const offered = n.readerChoices?.sections;
        if (!offered || !wanted.has(n.id)) continue;
        const chosen = offered.filter((s) => (form.sections[n.id] ?? []).includes(s));
        // Every section ticked is "everything", sections added to the newsletter later included.
        sections[n.id] = chosen.length === offered.length ? null : chosen;
      }
      const outcome = await store.updatePreferences(
        person.id,
        {
          subscribe,
          unsubscribe,
          sections,
          ...(form.name !== undefined ? { name: form.name === '' ? null : form.name } : {}),
          ...(timezone !== undefined ? { timezone } : {}),
          notify: wanted.size === 0,
        },
        at,
      );
      if (!outcome) throw invalid();
      if (outcome.unsubscribed.length > 0 && wanted.size === 0) dispatcher.kick();
      return { ...(await preferencesOf(person.id)), ...outcome };
    },

    /** Starts sending what the outbox holds (and polling it for mail other processes queued). */
    startMail(): void {
      dispatcher.start();
    },

    /** Resolves once every pending sign-up is committed and every mail due now handed over (or put back). */
    async drain(): Promise<void> {
      while (batch.length > 0 || inFlight) await new Promise((r) => setTimeout(r, 5));
      await dispatcher.drain();
    },

    /** Drains, then stops sending mail. */
    async close(): Promise<void> {
      await this.drain().catch(() => {});
      await dispatcher.stop();
    },

    /** Group-commit counters: transactions, and sign-ups in them. */
    get stats() {
      return { ...stats };
    },
  };
}
