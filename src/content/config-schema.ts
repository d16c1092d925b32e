import { z } from 'zod';
import { Cron } from 'croner';
import { BrandSchema } from './brand-schema.ts';
import { httpUrl } from './http-url.ts';
import { SourceSchema } from './source-schema.ts';
import { parseMailbox } from './mailbox.ts';

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timezone = z.string().refine(
  isTimezone,
  { error: (issue) => `Unknown IANA timezone ${JSON.stringify(issue.input)} (use a name like "America/New_York")` },
);

export const ScheduleSchema = z.strictObject({
  cron: z.string().min(1).default('0 6 * * *'),
  timezone: timezone.default('America/New_York'),
  /** Minutes after a missed firing within which the scheduler still sends it (issue 6). */
  graceMinutes: z.number().int().nonnegative().default(180),
}).check((ctx) => {
  // A bad timezone is reported on its own key; the cron cannot be judged without one.
  if (!isTimezone(ctx.value.timezone)) return;
  try {
    const cron = new Cron(ctx.value.cron, { timezone: ctx.value.timezone, paused: true });
    // A pattern like "0 6 30 2 *" parses but never fires: the newsletter would silently never go out.
    if (cron.nextRun() === null) {
      ctx.issues.push({ code: 'custom', message: 'Invalid cron pattern: it never fires', input: ctx.value.cron, path: ['cron'] });
    }
  } catch (error) {
    ctx.issues.push({ code: 'custom', message: `Invalid cron pattern: ${(error as Error).message}`, input: ctx.value.cron, path: ['cron'] });
  }
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
  schedule: ScheduleSchema.default({ cron: '0 6 * * *', timezone: 'America/New_York', graceMinutes: 180 }),
  subject: z.string().min(1).default('{newsletter}: {leadHeadline}'),
  locale: locale.default('en-US'),
  include: IncludeSchema.optional(),
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
  postalAddress: z.string().default('1 Example Plaza, Springfield, USA'),
  from: mailbox().default('Daybreak <briefing@example.com>'),
  replyTo: mailbox().optional(),
  /** Mailbox for the mailto: form of List-Unsubscribe (issue 4), e.g. "unsubscribe@example.com". */
  unsubscribeMailbox: mailbox({ bare: true }).optional(),
  /** Logo, colours and fonts for every design, the transactional emails and the site pages. */
  brand: BrandSchema.default(BrandSchema.parse({})),
});

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
      domainName: z.string().min(1),
      keySelector: z.string().min(1),
      privateKeyFile: z.string().min(1),
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
 * Mail coming back: bounces (RFC 3464), complaints (RFC 5965) and personal unsubscribe mails, received
 * over SMTP on `host:port` (the domain's MX points there), from an IMAP mailbox, or from a sending
 * service's webhooks.
 */
export const InboundSchema = z.strictObject({
  /** The domain of the per-copy envelope sender and of the personal List-Unsubscribe mailto address. */
  domain: domainName,
  port: z.number().int().min(0).max(65535).default(2525),
  host: z.string().min(1).default('127.0.0.1'),
  /** Soft bounces (4.x.x) of different editions within 30 days after which a reader counts as bounced. */
  softBounceLimit: z.number().int().positive().default(3),
  /** Largest message the listener accepts, in bytes (a DSN carries the original message). */
  maxMessageBytes: z.number().int().positive().default(2_000_000),
  /**
   * A mailbox the bounces land in, for publishers who cannot point an MX at Daybreak. Reserved: not read
   * yet, so a config that sets it is refused rather than silently ignored.
   */
  imap: z
    .unknown()
    .optional()
    .check((ctx) => {
      if (ctx.value === undefined) return;
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: 'reading bounces from an IMAP mailbox is not available yet: point the domain\'s MX at Daybreak, or have the mailbox forward to `daybreak inbound` (docs/deliverability.md)',
      });
    }),
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
});

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Where the database is: a SQLite file path or a postgres:// URL (`--db` and DATABASE_URL win). */
  database: z.string().min(1).optional(),
  baseUrl: httpUrl.default('http://localhost:3000'),
  publisher: PublisherSchema.default(PublisherSchema.parse({})),
  newsletters: z
    .array(NewsletterSchema)
    .min(1)
    .default([NewsletterSchema.parse({ id: 'morning', name: 'The Morning Briefing' })])
    .check((ctx) => {
      const seen = new Set<string>();
      ctx.value.forEach((n, i) => {
        if (seen.has(n.id)) {
          ctx.issues.push({ code: 'custom', message: `Duplicate newsletter id "${n.id}"`, input: n.id, path: [i, 'id'] });
        }
        seen.add(n.id);
      });
    }),
  delivery: DeliverySchema.default(DeliverySchema.parse({})),
  web: WebSchema.default(WebSchema.parse({})),
  inbound: InboundSchema.optional(),
  webhooks: WebhooksSchema.optional(),
  /** Feeds and CMS APIs that `daybreak fetch` (and `daybreak start`) turn into article files. */
  sources: z
    .array(SourceSchema)
    .default([])
    .check((ctx) => {
      const seen = new Set<string>();
      ctx.value.forEach((s, i) => {
        if (seen.has(s.id)) ctx.issues.push({ code: 'custom', message: `Duplicate source id "${s.id}"`, input: s.id, path: [i, 'id'] });
        seen.add(s.id);
      });
    }),
});

export type Config = z.infer<typeof ConfigSchema>;
export type Newsletter = z.infer<typeof NewsletterSchema>;
export type Publisher = z.infer<typeof PublisherSchema>;
export type DeliveryConfig = z.infer<typeof DeliverySchema>;
export type InboundConfig = z.infer<typeof InboundSchema>;
export type WebhooksConfig = z.infer<typeof WebhooksSchema>;
