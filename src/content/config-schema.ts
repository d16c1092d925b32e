import { z } from 'zod';
import { BrandSchema } from './brand-schema.ts';
import { CronPattern } from './cron-pattern.ts';
import { httpUrl } from './http-url.ts';
import { SourceSchema } from './source-schema.ts';
import { parseMailbox } from './mailbox.ts';
import { ianaTimezone } from './iana-timezone.ts';

/** The weekday names `schedule.days` takes, in cron's order (Sunday = 0). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DEFAULT_CRON = '0 6 * * *';

export const ScheduleSchema = z.strictObject({
  cron: CronPattern.optional(),
  /**
   * Local-time delivery: each reader gets the edition of date D at this time ("HH:MM", 24-hour) on D in
   * their own timezone (readers without one: `timezone`). Instead of `cron`.
   */
  localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Expected a 24-hour local time written HH:MM, e.g. "06:00"' }).optional(),
  /** With `localTime`: the weekdays with an edition (default every day). */
  days: z
    .array(z.enum(WEEKDAYS, { error: `Expected one of ${WEEKDAYS.join(', ')}` }))
    .min(1)
    .optional(),
  timezone: ianaTimezone.default('America/New_York'),
  /** Minutes after a missed firing within which the scheduler still sends it. */
  graceMinutes: z.number().int().nonnegative().default(180),
}).superRefine(
  ({ cron, localTime, days }, ctx) => {
    if (cron !== undefined && localTime !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'Use either schedule.cron or schedule.localTime, not both', input: localTime, path: ['localTime'] });
    } else if (days !== undefined && localTime === undefined) {
      ctx.addIssue({ code: 'custom', message: 'schedule.days goes with schedule.localTime (a cron pattern names its own days)', input: days, path: ['days'] });
    }
  },
  // Run beside problems in the schedule's own keys (a bad timezone, say), so a config's mistakes all come out in one run.
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) },
).transform(({ cron, localTime, days, ...rest }): { cron: string; localTime?: string; days?: Weekday[]; timezone: string; graceMinutes: number } => {
  if (localTime === undefined) return { cron: cron ?? DEFAULT_CRON, ...rest };
  // The same time in the newsletter's own zone as a cron pattern: what describes the schedule, dates the
  // editions and sets their article windows for everything that reads `cron`.
  const [hour, minute] = localTime.split(':').map(Number) as [number, number];
  const dayField = days ? [...new Set(days)].map((d) => WEEKDAYS.indexOf(d)).sort().join(',') : '*';
  return { cron: `${minute} ${hour} * * ${dayField}`, localTime, ...(days ? { days: [...new Set(days)] } : {}), ...rest };
});

/** What a newsletter offers its readers to choose. */
export const ReaderChoicesSchema = z.strictObject({
  /** The sections (an article's `section`) a reader may pick; the lead always comes. */
  sections: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(50)
    .check((ctx) => {
      ctx.value.forEach((name, i) => {
        if (ctx.value.indexOf(name) < i) ctx.issues.push({ code: 'custom', message: `"${name}" is already listed at [${ctx.value.indexOf(name)}]`, input: name, path: [i] });
      });
    }),
});

// An empty list would match no article and silently skip every edition; leave the key out to keep all.
export const IncludeSchema = z.strictObject({
  sections: z.array(z.string()).min(1).optional(),
  kickers: z.array(z.string()).min(1).optional(),
  tags: z.array(z.string()).min(1).optional(),
});

/** A BCP 47 language tag Intl accepts ("en-US", "fr"), so date formatting cannot fail at render time. */
const locale = z.string().refine(
  (tag) => {
    try {
      return Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      return false;
    }
  },
  { error: (issue) => `Invalid locale ${JSON.stringify(issue.input)}: expected a BCP 47 language tag like "en-US"` },
);

export const NewsletterSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'Expected lower-case letters, digits and dashes' }),
  name: z.string().min(1),
  description: z.string().default(''),
  template: z.string().min(1).default('briefing'),
  schedule: ScheduleSchema.default({ cron: DEFAULT_CRON, timezone: 'America/New_York', graceMinutes: 180 }),
  subject: z.string().min(1).default('{newsletter}: {leadHeadline}'),
  locale: locale.default('en-US'),
  include: IncludeSchema.optional(),
  /** Lets each reader pick sections on the preference page; their choice filters the short items. */
  readerChoices: ReaderChoicesSchema.optional(),
  /**
   * The order of the section headings the short items are grouped under (an article's `section`).
   * Sections not listed follow in the order they first appear; articles without a section go last.
   */
  sections: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .check((ctx) => {
      ctx.value?.forEach((name, i) => {
        if (ctx.value!.indexOf(name) < i) {
          ctx.issues.push({ code: 'custom', message: `"${name}" is already listed at [${ctx.value!.indexOf(name)}]`, input: name, path: [i] });
        }
      });
    }),
});

/**
 * Postal addresses that are not a publisher's own: the built-in default and the one `daybreak init`
 * writes. Bulk mail must carry the sender's real postal address (CAN-SPAM), so the pre-send gate warns
 * when real mail would go out with one of these.
 */
export const PLACEHOLDER_POSTAL_ADDRESSES = ['1 Example Plaza, Springfield, USA', 'Your street address, City, Country'] as const;

/**
 * One mailbox, checked at load with the sender's own parser (parseMailbox): a value that passes here is
 * exactly the From or Reply-To that goes out, and one that would fail at 06:00 fails now instead.
 */
const mailbox = (options: { bare?: boolean } = {}) =>
  z.string().check((ctx) => {
    const result = parseMailbox(ctx.value);
    if (!result.ok) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `${JSON.stringify(ctx.value)} ${result.problem}` });
    } else if (options.bare && result.mailbox.name) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `${JSON.stringify(ctx.value)}: expected a bare address such as unsubscribe@example.com, without a name` });
    }
  });

export const PublisherSchema = z.strictObject({
  name: z.string().min(1).default('The Daybreak Post'),
  /**
   * The street address alone (CAN-SPAM's physical address): the site footer and the emails put the
   * publisher's name beside it, so it should not start with the name again.
   */
  postalAddress: z.string().default(PLACEHOLDER_POSTAL_ADDRESSES[0]),
  from: mailbox().default('Daybreak <briefing@example.com>'),
  replyTo: mailbox().optional(),
  /** Mailbox for the mailto: form of List-Unsubscribe, e.g. "unsubscribe@example.com". */
  unsubscribeMailbox: mailbox({ bare: true }).optional(),
  /** Logo, colours and fonts for every design, the transactional emails and the site pages. */
  brand: BrandSchema.default(BrandSchema.parse({})),
});

/** A DKIM d= value: a host name (RFC 6376 §3.5). */
const DKIM_DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** A DKIM s= value: sub-domain labels (RFC 6376 §3.1), "_" allowed as DNS allows it in a TXT owner. */
const DKIM_SELECTOR = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/;

export const DeliverySchema = z.strictObject({
  maxConnections: z.number().int().positive().default(5),
  ratePerSecond: z.number().positive().optional(),
  connectionTimeoutMs: z.number().int().positive().default(10_000),
  greetingTimeoutMs: z.number().int().positive().default(10_000),
  socketTimeoutMs: z.number().int().positive().default(30_000),
  retries: z.number().int().nonnegative().default(3),
  retryBaseMs: z.number().int().nonnegative().default(1_000),
  maxPolicyErrors: z.number().int().positive().default(10),
  /**
   * Copies allowed between their `sending` commit and the commit of their outcome: the most a crash can
   * send twice. Default 8 × maxConnections (see sendEdition); 1 sends one copy at a time.
   */
  maxInFlight: z.number().int().positive().optional(),
  /**
   * How long a claimed copy stays reserved for the process that claimed it. A process renews its leases
   * while it runs; when it dies, another process takes its copies over once the lease has run out.
   */
  leaseSeconds: z.number().positive().default(60),
  /** The pre-send gate's SpamAssassin limit (`daybreak check`): an edition scoring this or more is held. */
  maxSpamScore: z.number().default(2.0),
  dkim: z
    .strictObject({
      domainName: z.string().regex(DKIM_DOMAIN, { error: 'Expected a domain name, e.g. "daybreak.example"' }),
      keySelector: z.string().regex(DKIM_SELECTOR, { error: 'Expected a DKIM selector: letters, digits, "-" and "_", dot-separated' }),
      privateKeyFile: z.string().min(1),
      /** An Ed25519 key (RFC 8463) for a second signature beside the RSA one, under its own selector. */
      ed25519KeyFile: z.string().min(1).optional(),
      ed25519KeySelector: z.string().regex(DKIM_SELECTOR, { error: 'Expected a DKIM selector: letters, digits, "-" and "_", dot-separated' }).optional(),
      /** Signing threads; 0 signs on the thread that drives the connections. Default: one per core but one. */
      threads: z.number({ error: 'Expected a whole number of signing threads, 0 to 64' }).int({ error: 'Expected a whole number of signing threads, 0 to 64' }).min(0, { error: 'Expected a whole number of signing threads, 0 to 64' }).max(64, { error: 'Expected a whole number of signing threads, 0 to 64' }).optional(),
    })
    .check((ctx) => {
      const { ed25519KeyFile, ed25519KeySelector, keySelector } = ctx.value;
      if (Boolean(ed25519KeyFile) !== Boolean(ed25519KeySelector)) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          path: [ed25519KeyFile ? 'ed25519KeySelector' : 'ed25519KeyFile'],
          message: 'ed25519KeyFile and ed25519KeySelector go together: the Ed25519 key is published under a selector of its own',
        });
      } else if (ed25519KeySelector && ed25519KeySelector === keySelector) {
        ctx.issues.push({ code: 'custom', input: ed25519KeySelector, path: ['ed25519KeySelector'], message: 'Must differ from keySelector: one selector publishes one key' });
      }
    })
    .optional(),
});

/** A DNS domain name (the inbound mail domain): letters, digits, dashes and dots, at least two labels. */
const domainName = z
  .string()
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i, {
    error: 'Expected a domain name such as bounces.news.example',
  })
  .transform((d) => d.toLowerCase());

/**
 * `imaps://user:password@imap.example.com:993` (TLS from the start) or `imap://…:143` (STARTTLS, required
 * unless the server is on loopback). The mailbox is a key of its own, not the URL's path (RFC 5092 would
 * put it there, but a path that is silently ignored is worse than one that is refused).
 */
const imapUrl = z.string().check((ctx) => {
  const issue = (message: string) => ctx.issues.push({ code: 'custom', input: ctx.value, message });
  let url: URL;
  try {
    url = new URL(ctx.value);
  } catch {
    issue('Expected an IMAP URL such as imaps://user:password@imap.example.com:993');
    return;
  }
  if (url.protocol !== 'imaps:' && url.protocol !== 'imap:') {
    issue(`Expected imaps:// (TLS, port 993) or imap:// (STARTTLS, port 143), not ${url.protocol}//`);
  } else if (!url.hostname) {
    issue('Names no server: write imaps://user:password@imap.example.com:993');
  } else if (!url.username || !url.password) {
    issue(`Names no ${url.username ? 'password' : 'user'}: write ${url.protocol}//user:password@${url.host} (percent-encode @, : and / inside them, e.g. %40)`);
  } else if (url.pathname !== '' && url.pathname !== '/') {
    issue('Give the mailbox as inbound.imap.mailbox, not in the URL');
  } else if (url.search || url.hash) {
    issue('Takes no query or fragment');
  }
  // A malformed percent-escape would only fail when the reader logs in; say so now.
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    issue('The user or password has a malformed %-escape');
  }
})
  // Tells an editor using the JSON Schema what the check above takes.
  .meta({ pattern: '^[Ii][Mm][Aa][Pp][Ss]?://' });

/** A mailbox name; `/` separates levels (Daybreak/Processed), whatever separator the server uses. */
const mailboxName = z
  .string()
  .min(1)
  .regex(/^[^/]+(\/[^/]+)*$/, { error: 'Expected a mailbox name such as INBOX or Daybreak/Processed (levels separated by /, none empty)' });

/** Where bounces are read from when the MX cannot point at Daybreak (see docs/deliverability.md). */
export const ImapSchema = z
  .strictObject({
    /** The account: `imaps://user:password@host:993` or `imap://user:password@host:143` (STARTTLS). */
    url: imapUrl,
    /** The mailbox the bounces are delivered to. Only its unread messages are read. */
    mailbox: mailboxName.default('INBOX'),
    /** Where a message goes once it is kept and applied (created when missing), marked read. */
    processedMailbox: mailboxName.default('Daybreak/Processed'),
  })
  .check((ctx) => {
    if (ctx.value.mailbox.toLowerCase() === ctx.value.processedMailbox.toLowerCase()) {
      ctx.issues.push({ code: 'custom', input: ctx.value.processedMailbox, path: ['processedMailbox'], message: 'Must differ from mailbox: processed messages are moved out of it' });
    }
  });

/**
 * The window `inbound.softBounceLimit` counts soft bounces over. The count is taken from the kept
 * messages, so `inbound.retentionDays` may not be shorter.
 */
export const SOFT_BOUNCE_WINDOW_DAYS = 30;

/**
 * How long received bounces, complaints and unsubscribe mails are kept by default: a quarter, three
 * times the soft-bounce window, long enough to answer "why was this reader dropped?" about the last few
 * months of editions, yet raw mail about readers (their address, often the whole copy) is not kept
 * without limit (GDPR Art. 5(1)(e), storage limitation).
 */
export const DEFAULT_INBOUND_RETENTION_DAYS = 90;

/**
 * Mail coming back: bounces (RFC 3464), complaints (RFC 5965) and personal unsubscribe mails, received
 * over SMTP on `host:port` (the domain's MX points there), from an IMAP mailbox, or from a sending
 * service's webhooks.
 */
export const InboundSchema = z.strictObject({
  /** The domain of the per-copy envelope sender and of the personal List-Unsubscribe mailto address. */
  domain: domainName,
  port: z.number().int().min(0).max(65535).default(2525),
  host: z.string().min(1).default('127.0.0.1'),
  /** Soft bounces (4.x.x) of different editions within SOFT_BOUNCE_WINDOW_DAYS after which a reader counts as bounced. */
  softBounceLimit: z.number().int().positive().default(3),
  /**
   * Days a received message (raw mail and its record in `daybreak bounces`) is kept before it is deleted.
   * Its effect on the reader stays. At least the soft-bounce window, which is counted from these messages.
   */
  retentionDays: z
    .number()
    .int()
    .min(SOFT_BOUNCE_WINDOW_DAYS, {
      error: (issue) =>
        `Must be at least ${SOFT_BOUNCE_WINDOW_DAYS}, got ${String(issue.input)}: inbound.softBounceLimit counts the soft bounces kept over the last ${SOFT_BOUNCE_WINDOW_DAYS} days, so inbound.retentionDays may not delete them sooner`,
    })
    // A hundred years: beyond what a date can be computed back to, and longer than anyone keeps mail.
    .max(36_500, { error: (issue) => `Must be at most 36500 (a hundred years), got ${String(issue.input)}` })
    .default(DEFAULT_INBOUND_RETENTION_DAYS),
  /** Largest message the listener accepts, in bytes (a DSN carries the original message). */
  maxMessageBytes: z.number().int().positive().default(2_000_000),
  /**
   * A mailbox the bounces land in, for publishers who cannot point an MX at Daybreak: read with IMAP
   * IDLE instead of listening for SMTP.
   */
  imap: ImapSchema.optional(),
});

/** Sending services' event webhooks (POST /webhooks/<provider>): how each one's signature is checked. */
export const WebhooksSchema = z.strictObject({
  /** Amazon SES through SNS: the SNS signing certificate (PEM), kept as a file since it is pinned. */
  ses: z.strictObject({ certificateFile: z.string().min(1), topicArn: z.string().min(1).optional() }).optional(),
  /** Postmark signs nothing: its webhooks carry HTTP Basic credentials set in its dashboard. */
  postmark: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }).optional(),
  /** Mailgun: the HTTP webhook signing key (HMAC-SHA256 over timestamp + token). */
  mailgun: z.strictObject({ signingKey: z.string().min(1) }).optional(),
  /** SendGrid's signed event webhook: the verification key (base64 DER, ECDSA P-256) from its settings. */
  sendgrid: z.strictObject({ publicKey: z.string().min(1) }).optional(),
});

export const WebSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(3000),
  allowedOrigins: z.array(z.string()).default([]),
  trustProxy: z.boolean().default(false),
  signupRatePerMinute: z.number().int().positive().default(5),
  /** Requests per minute per client to the preference page (GET and POST together). */
  manageRatePerMinute: z.number().int().positive().default(30),
});

/**
 * Each entry's id used once. It runs beside problems inside the entries (a newsletter's bad timezone),
 * so every mistake in a config comes out in one run; an entry whose id is not text is left to its own check.
 */
function uniqueIds(kind: string) {
  return z.superRefine<Array<{ id: string }>>(
    (entries, ctx) => {
      const seen = new Set<string>();
      entries.forEach((entry, i) => {
        const id: unknown = (entry as { id?: unknown } | null)?.id;
        if (typeof id !== 'string') return;
        if (seen.has(id)) ctx.addIssue({ code: 'custom', message: `Duplicate ${kind} id "${id}"`, input: id, path: [i, 'id'] });
        seen.add(id);
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );
}

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Where the database is: a SQLite file path or a postgres:// URL (`--db` and DATABASE_URL win). */
  database: z.string().min(1).optional(),
  /**
   * The data folder (articles, editions, images), relative to the config file, so commands run with this
   * config need no `--data` (the flag and DAYBREAK_DATA win).
   */
  dataDir: z.string().min(1).optional(),
  baseUrl: httpUrl.default('http://localhost:3000'),
  publisher: PublisherSchema.default(PublisherSchema.parse({})),
  newsletters: z
    .array(NewsletterSchema)
    .min(1)
    .default([NewsletterSchema.parse({ id: 'morning', name: 'The Morning Briefing' })])
    .check(uniqueIds('newsletter')),
  delivery: DeliverySchema.default(DeliverySchema.parse({})),
  web: WebSchema.default(WebSchema.parse({})),
  inbound: InboundSchema.optional(),
  webhooks: WebhooksSchema.optional(),
  /** Feeds and CMS APIs that `daybreak fetch` (and `daybreak start`) turn into article files. */
  sources: z
    .array(SourceSchema)
    .default([])
    .check(uniqueIds('source')),
});

export type Config = z.infer<typeof ConfigSchema>;
export type Newsletter = z.infer<typeof NewsletterSchema>;
export type Publisher = z.infer<typeof PublisherSchema>;
export type DeliveryConfig = z.infer<typeof DeliverySchema>;
export type InboundConfig = z.infer<typeof InboundSchema>;
export type ImapConfig = z.infer<typeof ImapSchema>;
export type WebhooksConfig = z.infer<typeof WebhooksSchema>;
